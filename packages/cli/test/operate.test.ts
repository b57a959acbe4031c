import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTransaction, type Envelope } from '@lgx/core';
import { createFileKeyStore, verifyApiKey } from '@lgx/gateway';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { API_KEY } from '@lgx/adapter-template/testing';
import { lgx, serveLgx, useWasteStack, type Served } from './helpers';

// Every step runs the lgx binary, a second or more each on a busy machine.
jest.setTimeout(120_000);

const ctx = useWasteStack();

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data as { uprn: string };
const env = { EXAMPLE_WASTE_KEY: API_KEY };
/** The adapter's secret is not set: as for an officer's shell on the gateway machine. */
const noSecrets = { EXAMPLE_WASTE_KEY: '' };
const modeOf = (file: string): string => (statSync(file).mode & 0o777).toString(8);

/** Sends a missed collection through `lgx send`; resolves its transaction id. */
async function send(body: unknown = { type: 'waste.missedCollection', data: missed }): Promise<{ id: string; code: number | null }> {
  const file = path.join(ctx.dir, `tx-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(body));
  const sent = await lgx(['send', ctx.stackFile, file, '--data', ctx.data, '--wait', '10'], { env });
  const id = /accepted: ([0-9a-f-]{36})/.exec(sent.stdout)?.[1];
  if (!id) throw new Error(`send failed: ${sent.stdout}\n${sent.stderr}`);
  return { id, code: sent.code };
}

/** A dead letter: the back office refuses the first attempt for good. */
async function deadLetter(): Promise<{ transactionId: string; deliveryId: string }> {
  ctx.sim.faults.failNext(1, { status: 400, body: { error: { code: 'REJECTED', message: 'form incomplete' } } });
  const { id, code } = await send(createTransaction('waste.missedCollection', missed as never, { council: 'E07000223', channel: 'web' }));
  expect(code).toBe(1);
  const list = await lgx(['dlq', 'list', '--stack', ctx.stackFile, '--data', ctx.data, '--json'], { env: noSecrets });
  return { transactionId: id, deliveryId: (JSON.parse(list.stdout) as Array<{ id: string }>)[0]!.id };
}

/** Starts `lgx serve` on a free port, polling every second; resolves once it listens. */
const serve = (): Promise<Served> => serveLgx([ctx.stackFile, '--data', ctx.data, '--poll', '1'], { env });

describe('the data folder', () => {
  it('is created owner-only (0700), with the database files 0600 (-wal and -shm while the gateway runs)', async () => {
    const server = await serve();
    try {
      expect(modeOf(ctx.data)).toBe('700');
      expect(['lgx.db', 'lgx.db-wal', 'lgx.db-shm'].map((f) => modeOf(path.join(ctx.data, f)))).toEqual(['600', '600', '600']);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    await lgx(['keys', 'create', '--stack', ctx.stackFile, '--data', ctx.data, '--council', 'E07000223', '--json'], { env: noSecrets });
    expect(modeOf(path.join(ctx.data, 'keys.json'))).toBe('600');
  });

  it('is tightened when it already exists open to others, and says so; the database keeps its data', async () => {
    const { id } = await send();
    chmodSync(ctx.data, 0o755);
    chmodSync(path.join(ctx.data, 'lgx.db'), 0o644);
    const status = await lgx(['status', id, '--data', ctx.data]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('delivered');
    expect(status.stderr).toContain(`note: data folder ${ctx.data} was open to other users (0755); it is now 0700, owner only`);
    expect([modeOf(ctx.data), modeOf(path.join(ctx.data, 'lgx.db'))]).toEqual(['700', '600']);
    // Once tight, nothing more is said.
    expect((await lgx(['status', id, '--data', ctx.data])).stderr).toBe('');
  });

  it('keys create makes a new data folder owner-only too', async () => {
    const fresh = path.join(ctx.dir, 'fresh', 'data');
    mkdirSync(path.dirname(fresh));
    // Listing keys of a folder that is not there makes nothing.
    expect((await lgx(['keys', 'list', '--data', fresh])).code).toBe(0);
    expect(existsSync(fresh)).toBe(false);
    expect(
      (await lgx(['keys', 'create', '--stack', ctx.stackFile, '--data', fresh, '--council', 'E07000223'], { env: noSecrets })).code,
    ).toBe(0);
    expect([modeOf(fresh), modeOf(path.join(fresh, 'keys.json'))]).toEqual(['700', '600']);
  });
});

describe('commands that need only the store', () => {
  it('keys, dlq and status work with the adapter secrets unset; serve and check refuse, naming the variable', async () => {
    const { transactionId, deliveryId } = await deadLetter();
    const at = ['--stack', ctx.stackFile, '--data', ctx.data];

    const created = await lgx(['keys', 'create', ...at, '--council', 'E07000223', '--json'], { env: noSecrets });
    expect(created.code).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };
    const listed = await lgx(['keys', 'list', '--data', ctx.data, '--json'], { env: noSecrets });
    const keyId = (JSON.parse(listed.stdout) as Array<{ id: string }>)[0]!.id;
    expect((await lgx(['keys', 'revoke', keyId, '--data', ctx.data], { env: noSecrets })).code).toBe(0);
    expect(await verifyApiKey(createFileKeyStore(path.join(ctx.data, 'keys.json')), key)).toBeUndefined();

    const show = await lgx(['dlq', 'show', deliveryId, ...at], { env: noSecrets });
    expect([show.code, show.stdout]).toEqual([0, expect.stringContaining('permanent')]);
    expect((await lgx(['status', transactionId, '--data', ctx.data], { env: noSecrets })).code).toBe(0);
    const replayed = await lgx(['dlq', 'replay', deliveryId, ...at, '--reason', 'form fixed'], { env: noSecrets });
    expect([replayed.code, replayed.stdout]).toEqual([0, expect.stringContaining('pending again')]);
    expect(JSON.parse((await lgx(['dlq', 'list', ...at, '--json'], { env: noSecrets })).stdout)).toEqual([]);

    for (const command of [
      ['serve', ctx.stackFile, '--data', ctx.data, '--port', '0'],
      ['check', ctx.stackFile],
    ]) {
      const refused = await lgx(command, { env: noSecrets });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('/adapters/waste/config/apiKey refers to environment variable EXAMPLE_WASTE_KEY, which is empty');
    }
    // The replayed delivery is still waiting: serve refused before leasing anything.
    expect(ctx.sim.state.cases.size).toBe(0);
  });

  it('dlq discard works with the adapter secrets unset', async () => {
    const { deliveryId } = await deadLetter();
    const discarded = await lgx(
      [
        'dlq',
        'discard',
        deliveryId,
        '--stack',
        ctx.stackFile,
        '--data',
        ctx.data,
        '--reason',
        'duplicate of a phone report',
        '--actor',
        'staff-42',
      ],
      { env: noSecrets },
    );
    expect([discarded.code, discarded.stdout]).toEqual([0, `discarded ${deliveryId}\n`]);
  });
});

describe('lgx status', () => {
  it('shows a delivery’s last error while it is retrying, and not once a later attempt delivered it', async () => {
    ctx.sim.faults.failNext(1, { status: 503, body: { error: 'maintenance' } });
    const { id, code } = await send();
    expect(code).toBe(0);
    const human = await lgx(['status', id, '--data', ctx.data]);
    expect(human.stdout).toMatch(/waste\s+delivered\s+2\s+/);
    expect(human.stdout).not.toContain('retryable');
    const json = JSON.parse((await lgx(['status', id, '--data', ctx.data, '--json'])).stdout) as {
      deliveries: Array<Record<string, unknown>>;
    };
    expect(json.deliveries[0]).toEqual(expect.objectContaining({ state: 'delivered', attempts: 2 }));
    expect(json.deliveries[0]).not.toHaveProperty('lastError');
  });

  it('shows the last error of a dead delivery', async () => {
    const { transactionId } = await deadLetter();
    const human = await lgx(['status', transactionId, '--data', ctx.data]);
    expect(human.stdout).toMatch(/waste\s+dead\s+1\s+permanent: /);
  });
});

describe('lgx dlq show --json', () => {
  it('includes the envelope, which edited goes back through replay --file and is delivered by serve', async () => {
    const { transactionId, deliveryId } = await deadLetter();
    const at = ['--stack', ctx.stackFile, '--data', ctx.data];
    const shown = JSON.parse((await lgx(['dlq', 'show', deliveryId, ...at, '--json', '--personal-data'], { env: noSecrets })).stdout) as {
      transactionId: string;
      envelope: Envelope;
    };
    expect(shown.envelope).toEqual(
      expect.objectContaining({
        id: transactionId,
        type: 'waste.missedCollection',
        council: 'E07000223',
        channel: 'web',
        data: expect.objectContaining({ uprn: missed.uprn }),
      }),
    );

    const edited = { ...shown.envelope, data: { ...(shown.envelope.data as object), uprn: '100062345672' } };
    const file = path.join(ctx.dir, 'envelope.json');
    writeFileSync(file, JSON.stringify(edited, null, 2));
    const replay = await lgx(['dlq', 'replay', deliveryId, ...at, '--file', file, '--reason', 'UPRN corrected', '--actor', 'staff-42'], {
      env: noSecrets,
    });
    expect([replay.code, replay.stdout]).toEqual([0, expect.stringContaining('pending again')]);

    const server = await serve();
    try {
      await waitFor(
        async () => JSON.parse((await lgx(['status', transactionId, '--data', ctx.data, '--json'])).stdout).state === 'delivered',
        'the replayed delivery',
        { timeoutMs: 20_000, intervalMs: 200 },
      );
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect([...ctx.sim.state.cases.values()].map((c) => c.uprn)).toEqual(['100062345672']);
    expect(readFileSync(file, 'utf8')).toContain('100062345672');
  });

  it('refuses a replay file that is not JSON, naming the file (exit 2)', async () => {
    const { deliveryId } = await deadLetter();
    const file = path.join(ctx.dir, 'broken.json');
    writeFileSync(file, '{"specversion": ');
    const replay = await lgx(['dlq', 'replay', deliveryId, '--stack', ctx.stackFile, '--data', ctx.data, '--file', file, '--reason', 'x'], {
      env: noSecrets,
    });
    expect([replay.code, replay.stderr]).toEqual([2, expect.stringContaining(`${file} cannot be read as JSON`)]);
  });
});

describe('lgx keys create --channel', () => {
  it('stores the channel with the key, and the gateway records it for the short form', async () => {
    const created = await lgx(
      [
        'keys',
        'create',
        '--stack',
        ctx.stackFile,
        '--data',
        ctx.data,
        '--council',
        'E07000223',
        '--channel',
        'web',
        '--label',
        'web forms',
        '--json',
      ],
      { env: noSecrets },
    );
    expect(created.code).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };
    expect(JSON.parse((await lgx(['keys', 'list', '--data', ctx.data, '--json'])).stdout)).toEqual([
      expect.objectContaining({ channel: 'web', label: 'web forms' }),
    ]);
    const server = await serve();
    try {
      const res = await fetch(`${server.url}/v1/transactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'waste.missedCollection', data: missed }),
      });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      const view = (await (await fetch(`${server.url}/v1/transactions/${id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
        transaction: Envelope;
      };
      expect(view.transaction).toEqual(expect.objectContaining({ channel: 'web', source: '/councils/E07000223/channels/web' }));
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('refuses a channel the envelope schema does not have, listing the channels (exit 2), and stores no key', async () => {
    const refused = await lgx(
      ['keys', 'create', '--stack', ctx.stackFile, '--data', ctx.data, '--council', 'E07000223', '--channel', 'fax'],
      { env: noSecrets },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "error: --channel must be one of web, app, phone, face_to_face, email, post, staff, open311, api (the envelope's channels), not 'fax'",
    );
    expect(JSON.parse((await lgx(['keys', 'list', '--data', ctx.data, '--json'])).stdout)).toEqual([]);
  });
});
