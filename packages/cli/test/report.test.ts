import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createTransaction, type Channel } from '@lgx/core';
import { createSqliteStore, createStack, openStack, purgeFinished } from '@lgx/runtime';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { API_KEY } from '@lgx/adapter-template/testing';
import { startBackdropReceiver, type BackdropReceiver } from './backdrop-receiver';
import { lgx, REPO_ROOT, useWasteStack } from './helpers';

// Every step runs the lgx binary, a second or more each on a busy machine.
jest.setTimeout(120_000);

const ctx = useWasteStack();
const COUNCIL = 'E07000223';
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;
/** The adapter's secret is not set: reports need none. */
const noSecrets = { EXAMPLE_WASTE_KEY: '' };

const now = new Date();
const day = (d: Date) => d.toISOString().slice(0, 10);
const thisMonth = day(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)));
const lastMonth = day(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));
const nextMonth = day(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)));

/** Accepts and delivers missed collections through a stack on the data folder's store, one per channel given. */
async function deliver(channels: Channel[]): Promise<void> {
  mkdirSync(ctx.data, { recursive: true, mode: 0o700 });
  const definition = await createStack({
    council: COUNCIL,
    adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: ctx.sim.url, apiKey: API_KEY } } },
    routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
  });
  const stack = await openStack(definition, {
    store: createSqliteStore({ file: path.join(ctx.data, 'lgx.db') }),
    resolveFrom: REPO_ROOT,
    worker: { pollIntervalMs: 20 },
  });
  try {
    const ids: string[] = [];
    for (const channel of channels)
      ids.push(
        (await stack.submit(createTransaction('waste.missedCollection', structuredClone(missed) as never, { council: COUNCIL, channel })))
          .id,
      );
    await waitFor(async () => (await Promise.all(ids.map((id) => stack.get(id)))).every((v) => v?.state === 'delivered'), 'every delivery');
  } finally {
    await stack.close();
  }
}

const report = (args: string[], env: Record<string, string> = noSecrets) =>
  lgx(['report', ...args, '--stack', ctx.stackFile, '--data', ctx.data], { env });
const monthly = ['--period', 'month', '--from', lastMonth, '--to', nextMonth];

describe('lgx report', () => {
  it('prints an aligned table of the council figures, zero-filled, with no adapter secret set', async () => {
    await deliver(['web', 'web', 'web', 'phone', 'phone']);
    const ran = await report(['transactions-by-channel', ...monthly, '--group-by', 'channel']);
    expect([ran.code, ran.stderr]).toEqual([0, '']);
    const lines = ran.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^period_start +channel +count$/);
    // Numbers are right-aligned under their header.
    const countEnd = lines[0]!.length;
    const rows = lines.slice(2).filter((l) => l.startsWith('20'));
    expect(rows.every((r) => r.length === countEnd)).toBe(true);
    const cells = rows.map((r) => r.split(/ {2,}/));
    expect(
      cells
        .filter((c) => c[0] === thisMonth)
        .map((c) => [c[1], c[2]])
        .sort(),
    ).toEqual([
      ['digital', '3'],
      ['telephone_human', '2'],
    ]);
    expect(cells.filter((c) => c[0] === lastMonth).every((c) => c.at(-1) === '0')).toBe(true);
    expect(ran.stdout).toContain(`of council ${COUNCIL}, from`);
  });

  it('writes CSV (CRLF, header row) and JSON in Backdrop shape', async () => {
    await deliver(['web', 'phone']);
    const csv = await report(['transactions-by-channel', ...monthly, '--group-by', 'channel', '--csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.endsWith('\r\n')).toBe(true);
    const lines = csv.stdout.split('\r\n').slice(0, -1);
    expect(lines[0]).toBe('_id,_timestamp,end_at,period,council,channel,count');
    const current = lines
      .slice(1)
      .map((l) => l.split(','))
      .filter((cells) => cells[1]!.startsWith(thisMonth));
    expect(current.map((cells) => cells.slice(-2).join(':')).sort()).toEqual(['digital:1', 'telephone_human:1']);
    const json = await report(['transactions-by-channel', ...monthly, '--group-by', 'channel', '--json']);
    const answer = JSON.parse(json.stdout) as { data: Array<Record<string, unknown>> };
    expect(answer.data.filter((r) => String(r._timestamp).startsWith(thisMonth)).map((r) => r.count)).toEqual([1, 1]);
    expect(answer.data.map((r) => r._id)).toEqual(lines.slice(1).map((l) => l.split(',')[0]));
  });

  it('keeps the figures once retention has purged the payloads, and rebuild agrees with them', async () => {
    await deliver(['web', 'web', 'phone']);
    const store = createSqliteStore({ file: path.join(ctx.data, 'lgx.db') });
    await store.migrate();
    expect(await purgeFinished(store, { olderThanDays: 0, now: new Date(Date.now() + 1000) })).toBe(3);
    await store.close();
    const before = await report(['service-kpis', ...monthly, '--group-by', 'service', '--json']);
    const rebuilt = await report(['rebuild']);
    expect([rebuilt.code, rebuilt.stdout.trim()]).toEqual([0, 'rebuilt the rollups from 3 stored transaction(s)']);
    const after = await report(['service-kpis', ...monthly, '--group-by', 'service', '--json']);
    expect(after.stdout).toBe(before.stdout);
    const current = (JSON.parse(after.stdout) as { data: Array<Record<string, unknown>> }).data.filter((r) =>
      String(r._timestamp).startsWith(thisMonth),
    );
    expect(current).toEqual([
      expect.objectContaining({
        service: 'waste.missedCollection',
        number_of_transactions: 3,
        number_of_digital_transactions: 2,
        delivered: 3,
        dead: 0,
      }),
    ]);
  });

  it.each([
    [['transactions-by-channel', '--period', 'fortnight', '--from', '2026-01-01', '--to', '2026-02-01'], /--period/],
    [['transactions-by-channel', '--from', 'soon', '--to', '2026-02-01'], /--from/],
    [['transactions-by-channel', '--from', '2026-01-01', '--to', '2026-02-01', '--group-by', 'colour'], /--group-by/],
    [['transactions-by-channel', '--from', '2026-01-01'], /needs --from <date> and --to <date>/],
    [['transactions-by-channel', '--from', '2026-09-01', '--to', '2026-08-01'], /^error: --to must be after --from \(2026-09-01\)$/m],
    [
      ['complaints', '--from', '2026-01-01', '--to', '2026-02-01'],
      /unknown data-set 'complaints' \(transactions-by-channel, service-kpis, or 'rebuild'\)/,
    ],
    [['transactions-by-channel', '--from', '2026-01-01', '--to', '2026-02-01', '--csv', '--json'], /choose one of --csv and --json/],
  ])('refuses %j as a usage error naming the option (exit 2)', async (args, message) => {
    const ran = await report(args);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(message);
  });
});

describe('lgx report --publish', () => {
  const TOKEN = 'pp-write-token-0c7e51';
  let receiver: BackdropReceiver;
  beforeAll(async () => {
    receiver = await startBackdropReceiver(TOKEN);
  });
  beforeEach(() => receiver.reset());
  afterAll(() => receiver.close());
  const publish = (url: string, env: Record<string, string>) =>
    report(['transactions-by-channel', ...monthly, '--group-by', 'channel', '--publish', url, '--token-env', 'PP_TOKEN'], {
      ...noSecrets,
      ...env,
    });

  it('POSTs the records with the token from the environment, tries a 503 again, and overwrites by _id when run again', async () => {
    await deliver(['web', 'phone', 'phone']);
    const url = `${receiver.url}/data/council-e07000223/transactions-by-channel`;
    receiver.faults.failNext(1, { status: 503, body: { status: 'error', message: 'maintenance' } });
    const first = await publish(url, { PP_TOKEN: TOKEN });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^batch 1: the receiver answered 503: maintenance; trying again in \d+\.\d s$/m);
    const stored = receiver.records('council-e07000223', 'transactions-by-channel');
    const published = Number(/published (\d+) record\(s\) of transactions-by-channel to /.exec(first.stdout)?.[1]);
    expect(stored.size).toBe(published);
    expect(
      [...stored.values()]
        .filter((r) => String(r._timestamp).startsWith(thisMonth))
        .map((r) => [r.channel, r.count])
        .sort(),
    ).toEqual([
      ['digital', 1],
      ['telephone_human', 2],
    ]);
    await deliver(['web']);
    expect((await publish(url, { PP_TOKEN: TOKEN })).code).toBe(0);
    expect(stored.size).toBe(published);
    expect([...stored.values()].find((r) => String(r._timestamp).startsWith(thisMonth) && r.channel === 'digital')?.count).toBe(2);
    expect(receiver.requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill(`Bearer ${TOKEN}`));
  });

  it("fails on a bad token with the receiver's message and never shows the token", async () => {
    await deliver(['web']);
    const wrong = 'wrong-token-5d2a77';
    const ran = await publish(`${receiver.url}/data/council-e07000223/transactions-by-channel`, { PP_TOKEN: wrong });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain("error LGX_ERR_REPORT_PUBLISH: the receiver answered 401: Unauthorized: Invalid bearer token '[token]'");
    expect(`${ran.stdout}${ran.stderr}`).not.toContain(wrong);
    expect(receiver.requests).toHaveLength(1);
  });

  it('needs the token in an environment variable that is set', async () => {
    const ran = await publish(`${receiver.url}/data/g/t`, {});
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('--token-env PP_TOKEN: the environment variable is not set, or empty');
    expect(receiver.requests).toHaveLength(0);
  });
});
