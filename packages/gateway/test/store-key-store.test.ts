import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteStore, type Store } from '@lgx/runtime';
import { createApiKey, createStoreKeyStore, KEY_REFRESH_MS, verifyApiKey } from '../src';

let dir: string;
let stores: Store[];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-store-keys-'));
  stores = [];
});
afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** A store on the shared file, as another process would open it. */
async function node(): Promise<Store> {
  const store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
  await store.migrate();
  stores.push(store);
  return store;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('API keys in the store', () => {
  it('keeps only the hash, and a key created through one process works on another within a second; a revoked one stops', async () => {
    const a = createStoreKeyStore(await node());
    const b = createStoreKeyStore(await node());
    // b has looked (and cached that there is no such key) before the key exists.
    expect(await b.find('000000000000')).toBeUndefined();
    const { key, record } = await createApiKey(a, { council: 'E07000223', scopes: ['submit', 'read'], channel: 'web', label: 'forms' });
    expect(readFileSync(path.join(dir, 'lgx.db')).includes(Buffer.from(key.split('.')[1]!))).toBe(false);

    const seen = Date.now();
    while (!(await verifyApiKey(b, key))) {
      if (Date.now() - seen > 1000) throw new Error('the new key was not seen by the other process within a second');
      await sleep(20);
    }
    expect(await verifyApiKey(b, key)).toEqual(record);

    // Cached on b now; revoked through a, it stops on b within a second too.
    expect(await a.revoke(record.id)).toBe(true);
    const revoked = Date.now();
    while (await verifyApiKey(b, key)) {
      if (Date.now() - revoked > 1000) throw new Error('the revoked key still worked on the other process after a second');
      await sleep(20);
    }
    expect((await b.list()).map((k) => [k.id, k.revokedAt !== undefined])).toEqual([[record.id, true]]);
    expect(KEY_REFRESH_MS).toBeLessThan(1000);
  });

  it('refuses a key whose secret does not match the stored hash', async () => {
    const keys = createStoreKeyStore(await node());
    const { key } = await createApiKey(keys, { council: 'E07000223' });
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(await verifyApiKey(keys, tampered)).toBeUndefined();
    expect(await verifyApiKey(keys, key)).toBeDefined();
  });
});
