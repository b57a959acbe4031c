import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import { createFileKeyStore, verifyApiKey } from '@lgx/gateway';
import { loadFixtures } from '@lgx/testkit';
import { API_KEY } from '@lgx/adapter-template/testing';
import { lgx, REPO_ROOT, serveLgx, useWasteStack } from './helpers';

// Every step runs the lgx binary, a second or more each on a busy machine.
jest.setTimeout(120_000);

const ctx = useWasteStack();

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;

const env = { EXAMPLE_WASTE_KEY: API_KEY };

describe('lgx', () => {
  it('--help lists every command; no command is a usage error (exit 2)', async () => {
    const help = await lgx(['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'init',
      'validate',
      'check',
      'serve',
      'send',
      'status',
      'dlq',
      'keys',
      'adapters',
      'new adapter',
      'conformance',
      'schemas export',
      'demo',
    ])
      expect(help.stdout).toContain(`  ${command} `);
    expect((await lgx([])).code).toBe(2);
    const unknown = await lgx(['frobnicate']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining("unknown command 'frobnicate'")]);
    const badOption = await lgx(['validate', '--colour']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('lgx validate [stack]');
  });

  it('init writes a starter stack once; validate explains what is missing', async () => {
    // Outside the repository, where no adapter is installed.
    const outside = mkdtempSync(path.join(os.tmpdir(), 'lgx-init-'));
    const starter = path.join(outside, 'lgx.yaml');
    const first = await lgx(['init', outside, '--council', 'E08000025']);
    expect(first.code).toBe(0);
    expect(readFileSync(starter, 'utf8')).toContain('council: E08000025');
    // Its reference link is the repository's address of a guide that exists.
    const reference = /# Reference: (\S+)/.exec(readFileSync(starter, 'utf8'))?.[1] ?? '';
    const repository = (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { repository: { url: string } }
    ).repository.url.replace(/^git\+|\.git$/g, '');
    expect(reference.startsWith(`${repository}/blob/main/`)).toBe(true);
    expect(existsSync(path.join(REPO_ROOT, reference.slice(`${repository}/blob/main/`.length)))).toBe(true);
    expect((await lgx(['init', outside])).code).toBe(1);
    // The starter names @lgx/adapter-govuk-pay, which is not installed in this folder.
    const result = await lgx(['validate', starter, '--json'], {
      env: { GOVUK_PAY_API_KEY: 'k'.repeat(20), GOVUK_PAY_WEBHOOK_SECRET: 's'.repeat(20) },
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual(
      expect.objectContaining({
        valid: false,
        problems: [expect.objectContaining({ message: expect.stringContaining('@lgx/adapter-govuk-pay') })],
      }),
    );
    rmSync(outside, { recursive: true, force: true });
  });

  it('validate accepts a good stack and names the key and line of a bad one', async () => {
    const good = await lgx(['validate', ctx.stackFile], { env });
    expect([good.code, good.stdout]).toEqual([0, expect.stringContaining('valid (council E07000223, 1 adapter(s), 1 route(s))')]);
    writeFileSync(ctx.stackFile, readFileSync(ctx.stackFile, 'utf8').replace('routes:', 'rootes:'));
    const bad = await lgx(['validate', ctx.stackFile], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/rootes/);
    expect(bad.stderr).toMatch(/line 8/);
    // A secret that cannot be resolved is named, never printed.
    const noSecret = await lgx(['validate', ctx.stackFile.replace('lgx.yaml', 'missing.yaml')]);
    expect(noSecret.code).toBe(1);
  });

  it('check prints a health table and fails while the back office is down', async () => {
    const ok = await lgx(['check', ctx.stackFile], { env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/waste\s+@lgx\/adapter-template\s+0\.1\.0\s+ok/);
    ctx.sim.faults.down();
    try {
      const down = await lgx(['check', ctx.stackFile, '--json'], { env });
      expect(down.code).toBe(1);
      expect(JSON.parse(down.stdout).adapters[0]).toEqual(expect.objectContaining({ adapter: 'waste', ok: false }));
    } finally {
      ctx.sim.faults.up();
    }
  });

  it('send submits and follows a transaction to delivery; status shows it; an unknown id is exit 3', async () => {
    const file = path.join(ctx.dir, 'missed.json');
    writeFileSync(file, JSON.stringify({ type: 'waste.missedCollection', data: missed }));
    const sent = await lgx(['send', ctx.stackFile, file, '--data', ctx.data], { env });
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/accepted: [0-9a-f-]{36}/);
    expect(sent.stdout).toContain('waste: attempt 1 delivered');
    expect(ctx.sim.state.cases.size).toBe(1);
    const id = /accepted: ([0-9a-f-]{36})/.exec(sent.stdout)![1]!;
    const status = await lgx(['status', id, '--data', ctx.data, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual(
      expect.objectContaining({ id, state: 'delivered', deliveries: [expect.objectContaining({ target: 'waste', state: 'delivered' })] }),
    );
    expect((await lgx(['status', 'no-such-id', '--data', ctx.data])).code).toBe(3);
  });

  it('send refuses a file that is not JSON (exit 2) and a transaction that is not valid (exit 1, every field named), storing nothing', async () => {
    const notJson = path.join(ctx.dir, 'not.json');
    writeFileSync(notJson, '{"type": "waste.missedCollection",');
    const bad = await lgx(['send', ctx.stackFile, notJson, '--data', ctx.data], { env });
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('cannot be read as JSON')]);
    const invalid = path.join(ctx.dir, 'invalid.json');
    writeFileSync(
      invalid,
      '{"type": "waste.missedCollection", "data": {"uprn": "not-a-uprn", "service": "refuse", "__proto__": {"admin": true}}}',
    );
    const refused = await lgx(['send', ctx.stackFile, invalid, '--data', ctx.data], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('LGX_ERR_VALIDATION_INVALID');
    expect(refused.stderr).toContain('/data/uprn');
    expect(refused.stderr).toContain('/data/scheduledDate');
    expect(refused.stderr).toContain('/data/__proto__');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    // 20,000 bad items: the first hundred issues are printed, and how many there were.
    const flood = path.join(ctx.dir, 'flood.json');
    writeFileSync(
      flood,
      JSON.stringify({
        type: 'waste.missedCollection',
        data: { ...(missed as object), media: Array.from({ length: 20_000 }, () => ({})) },
      }),
    );
    const flooded = await lgx(['send', ctx.stackFile, flood, '--data', ctx.data], { env });
    expect(flooded.code).toBe(1);
    expect(flooded.stderr.split('\n').filter((line) => line.startsWith('  /data/media'))).toHaveLength(100);
    expect(flooded.stderr).toMatch(/\.\.\. and \d{5,} more \(\d{5,} in all\)/);
    expect(flooded.stderr.length).toBeLessThan(16 * 1024);
    expect(ctx.sim.state.cases.size).toBe(0);
  });

  it('dlq lists, shows, replays and discards dead letters, with a reason required', async () => {
    ctx.sim.faults.failNext(1, { status: 400, body: { error: 'bad request' } });
    const file = path.join(ctx.dir, 'tx.json');
    writeFileSync(file, JSON.stringify(createTransaction('waste.missedCollection', missed as never, { council: 'E07000223' })));
    const sent = await lgx(['send', ctx.stackFile, file, '--data', ctx.data], { env });
    expect(sent.code).toBe(1);
    expect(sent.stdout).toContain('dead');
    const list = await lgx(['dlq', 'list', '--stack', ctx.stackFile, '--data', ctx.data, '--json'], { env });
    const dead = JSON.parse(list.stdout) as Array<{ id: string; target: string }>;
    expect(dead).toEqual([expect.objectContaining({ target: 'waste' })]);
    const show = await lgx(['dlq', 'show', dead[0]!.id, '--stack', ctx.stackFile, '--data', ctx.data], { env });
    expect(show.stdout).toMatch(/permanent/);
    expect((await lgx(['dlq', 'replay', dead[0]!.id, '--stack', ctx.stackFile, '--data', ctx.data], { env })).code).toBe(2);
    const replay = await lgx(
      [
        'dlq',
        'replay',
        dead[0]!.id,
        '--reason',
        'vendor fixed the form',
        '--actor',
        'staff-42',
        '--stack',
        ctx.stackFile,
        '--data',
        ctx.data,
      ],
      { env },
    );
    expect([replay.code, replay.stdout]).toEqual([0, expect.stringContaining('pending again')]);
    expect(JSON.parse((await lgx(['dlq', 'list', '--stack', ctx.stackFile, '--data', ctx.data, '--json'], { env })).stdout)).toEqual([]);
    expect((await lgx(['dlq', 'discard', dead[0]!.id, '--reason', 'x', '--stack', ctx.stackFile, '--data', ctx.data], { env })).code).toBe(
      3,
    );
  });

  it('keys create prints the key once (--json), stores only its hash, and refuses another council', async () => {
    const created = await lgx(['keys', 'create', '--stack', ctx.stackFile, '--data', ctx.data, '--council', 'E07000223', '--json'], {
      env,
    });
    expect(created.code).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };
    const stored = readFileSync(path.join(ctx.data, 'keys.json'), 'utf8');
    expect(stored).not.toContain(key.split('.')[1]);
    expect(await verifyApiKey(createFileKeyStore(path.join(ctx.data, 'keys.json')), key)).toEqual(
      expect.objectContaining({ council: 'E07000223', scopes: ['submit', 'read'] }),
    );
    const list = await lgx(['keys', 'list', '--data', ctx.data, '--json']);
    expect(JSON.parse(list.stdout)[0]).not.toHaveProperty('hash');
    expect((await lgx(['keys', 'create', '--stack', ctx.stackFile, '--data', ctx.data, '--council', 'E08000025'], { env })).code).toBe(2);
    expect(
      (await lgx(['keys', 'create', '--stack', ctx.stackFile, '--data', ctx.data, '--council', 'E07000223', '--scopes', 'root'], { env }))
        .code,
    ).toBe(2);
  });

  it('serve answers over HTTP with keys from keys create, and stops on SIGTERM', async () => {
    const created = await lgx(['keys', 'create', '--stack', ctx.stackFile, '--data', ctx.data, '--council', 'E07000223', '--json'], {
      env,
    });
    const { key } = JSON.parse(created.stdout) as { key: string };
    const served = await serveLgx([ctx.stackFile, '--data', ctx.data], { env });
    const { url } = served;
    try {
      const res = await fetch(`${url}/v1/transactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'waste.missedCollection', data: missed }),
      });
      expect(res.status).toBe(202);
      expect((await fetch(`${url}/v1/health`)).status).toBe(200);
    } finally {
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
    }
  });

  it('adapters lists the installed adapters with their capabilities', async () => {
    const result = await lgx(['adapters', '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<{ package: string; capabilities: Array<{ type: string }> }>;
    expect(rows.map((r) => r.package)).toEqual(
      expect.arrayContaining([
        '@lgx/adapter-govuk-pay',
        '@lgx/adapter-govuk-notify',
        '@lgx/adapter-open311',
        '@lgx/adapter-soap',
        '@lgx/adapter-template',
      ]),
    );
    expect(rows.find((r) => r.package === '@lgx/adapter-govuk-pay')!.capabilities.map((c) => c.type)).toContain('payment');
  });

  it('schemas export writes every schema where its $id says', async () => {
    const out = path.join(ctx.dir, 'schemas');
    const result = await lgx(['schemas', 'export', out]);
    expect(result.code).toBe(0);
    for (const file of ['payment/v1.json', 'payment/v2.json', 'defs/v1.json', 'envelope/v1.json', 'street.report/v1.json'])
      expect(existsSync(path.join(out, file))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(out, 'payment/v2.json'), 'utf8')).$id).toBe('https://schemas.lgx.dev/payment/v2.json');
  });
});
