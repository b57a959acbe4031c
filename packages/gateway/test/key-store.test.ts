import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKey, createFileKeyStore, hasScope, verifyApiKey } from '../src';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-keys-'));
  file = path.join(dir, 'data', 'keys.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the file key store', () => {
  it('keeps only a hash, owner-readable, and verifies the key it printed once', async () => {
    const store = createFileKeyStore(file);
    const { key, record } = await createApiKey(store, { council: 'E07000223', scopes: ['submit'], label: 'web forms' });
    expect(key).toMatch(/^lgx_[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(key.split('.')[1]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await verifyApiKey(store, key)).toEqual(record);
    expect(hasScope(record, 'submit')).toBe(true);
    expect(hasScope(record, 'read')).toBe(false);
    // One character changed in the secret, a wrong id, garbage: all unknown.
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const bad of [tampered, key.replace(/^lgx_[0-9a-f]{12}/, 'lgx_000000000000'), 'lgx_', '', `${key} `])
      expect(await verifyApiKey(store, bad)).toBeUndefined();
  });

  it('sees keys created and revoked by another process (the CLI) without a restart', async () => {
    const gateway = createFileKeyStore(file);
    const cli = createFileKeyStore(file);
    const { key, record } = await createApiKey(cli, { council: 'E07000223' });
    expect(await verifyApiKey(gateway, key)).toEqual(record);
    expect(await cli.revoke(record.id)).toBe(true);
    expect(await verifyApiKey(gateway, key)).toBeUndefined();
    expect(await cli.revoke(record.id)).toBe(false);
  });

  it('refuses a keys file that is not the JSON it writes, saying which file and what is wrong', async () => {
    const store = createFileKeyStore(file);
    await createApiKey(store, { council: 'E07000223' });
    for (const [content, says] of [
      ['{ not json', 'not well-formed JSON'],
      ['{"version": 2, "keys": []}', '{"version": 1, "keys": [...]}'],
      ['{"version": 1, "keys": [{"id": "abc"}]}', "keys[0] has no 'council'"],
      [
        '{"version": 1, "keys": [{"id": "abc", "council": "E07000223", "scopes": ["submit"], "hash": "00", "createdAt": "2026-01-01T00:00:00Z", "channel": "fax"}]}',
        'keys[0].channel must be one of web, app, phone',
      ],
    ] as const) {
      writeFileSync(file, content);
      await expect(createFileKeyStore(file).find('abc')).rejects.toMatchObject({
        code: 'LGX_ERR_GATEWAY_KEY_STORE_INVALID',
        message: expect.stringContaining(says),
      });
    }
  });

  it("keeps a key's channel, and a key made in the folder it creates is owner-only there too", async () => {
    const { key } = await createApiKey(createFileKeyStore(file), { council: 'E07000223', channel: 'phone' });
    expect(await verifyApiKey(createFileKeyStore(file), key)).toEqual(expect.objectContaining({ channel: 'phone' }));
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('refuses an unknown scope', async () => {
    await expect(createApiKey(createFileKeyStore(file), { council: 'E07000223', scopes: ['root' as never] })).rejects.toThrow(
      "unknown scope 'root'",
    );
  });
});
