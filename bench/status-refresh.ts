/**
 * bench/status-refresh: what one round of status refresh (getStatus for adapters with no change feed)
 * costs with 100,000 open cases in the store against what it costs with 100, on SQLite and on
 * PostgreSQL, in the same process against the same Example Waste simulator on 127.0.0.1.
 *
 * Each store holds the backlog of packages/runtime/test/helpers/refresh-backlog.ts with as many
 * deliveries as it takes for that many open cases (a third of the deliveries never checked, a third
 * scheduled, a third done, one in ten pending). A round is one StatusPoller.pollOnce() refreshing
 * target 'busy' (the template adapter with its change feed left out) with a budget of
 * BENCH_REFRESH_CALLS getStatus calls (default 25): the clock moves on a day first, so every open case
 * is due and the budget window is new, and every case's note changes between rounds, so each call
 * stores an update (claim, call, store, event, schedule: the whole path). Rounds alternate between the
 * two stores; the median round of each is compared. The same rounds run a second time with the
 * adapter answering in the process (no network), which leaves the store's share of a round alone, the
 * part a backlog could make grow. Aim: the large store's round at most 1.5x the small one's (a read
 * of the whole backlog would make it tens of times slower; what is left grows with the depth of the
 * indexes, as every write to a larger table does).
 *
 *   npx tsx bench/status-refresh.ts    (also part of npm run bench)
 * BENCH_REFRESH_LARGE and BENCH_REFRESH_SMALL (open cases, default 100,000 and 100), BENCH_REFRESH_ROUNDS (9),
 * BENCH_REFRESH_STORES (sqlite,postgres). PostgreSQL runs on a throwaway server started here and is
 * skipped, with a message, when its binaries are not installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StatusUpdate } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { adapter as template } from '@lgx/adapter-template';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { createPostgresStore, createSqliteStore, StatusEvents, StatusPoller, type Store } from '@lgx/runtime';
import { postgresAvailability, startPostgresServer } from '../packages/runtime/test/helpers/postgres-server';
import {
  fillRefreshBacklogPostgres,
  fillRefreshBacklogSqlite,
  REFRESH_BACKLOG_AT,
  refreshBacklogRows,
} from '../packages/runtime/test/helpers/refresh-backlog';

const DAY_MS = 86_400_000;
const n = (x: number) => Math.round(x).toLocaleString('en-GB');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Side {
  /** Open cases in the store. */
  open: number;
  store: Store;
  /** Asks the simulator over HTTP. */
  remote: StatusPoller;
  /** Answers in the process: the store's share of a round alone. */
  local: StatusPoller;
}

/** What the Example Waste adapter would answer for a case, without the network. */
let note = '';
async function answerLocally(externalRef: string): Promise<StatusUpdate> {
  return { externalRef, status: 'open', externalStatusCode: 'logged', description: note, updatedAt: REFRESH_BACKLOG_AT };
}

/** Every case the backlog can refer to, known to the simulator. */
function seedCases(sim: ExampleWasteSimulator, count: number): void {
  const now = new Date().toISOString();
  for (let i = 1; i <= count; i++) {
    const id = `REF-${i}`;
    sim.state.cases.set(id, { id, kind: 'missed_collection', uprn: '100023336956', status: 'logged', created_at: now, updated_at: now });
  }
}

async function side(open: number, store: Store, sim: ExampleWasteSimulator, clock: () => Date, calls: number): Promise<Side> {
  await store.migrate();
  const { instance } = await instantiateAdapter(template, { baseUrl: sim.url, apiKey: API_KEY }, { retry: false });
  const events = new StatusEvents();
  events.on('statusUpdate', () => undefined);
  const poller = (getStatus: (ref: string) => Promise<StatusUpdate>) =>
    new StatusPoller({
      store,
      adapters: new Map([['busy', { getStatus }]]),
      events,
      now: clock,
      refresh: { firstAfterMs: 60_000, budget: { calls, windowMs: 60_000 }, concurrency: 4 },
    });
  return {
    open,
    store,
    remote: poller((ref) => instance.getStatus!(ref, { signal: AbortSignal.timeout(30_000) })),
    local: poller(answerLocally),
  };
}

/** Alternating rounds of the two sides (after two of warm-up each): each side's round times and call counts. */
async function rounds(
  sides: readonly Side[],
  which: 'remote' | 'local',
  count: number,
  sim: ExampleWasteSimulator,
  advance: () => void,
): Promise<Array<{ ms: number[]; calls: number[] }>> {
  const out = sides.map(() => ({ ms: [] as number[], calls: [] as number[] }));
  for (let round = 0; round < count + 2; round++) {
    for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
      advance();
      note = `round ${round}`;
      if (which === 'remote') for (const c of sim.state.cases.values()) c.note = note;
      const before = sim.requests.length;
      let calls = 0;
      const started = performance.now();
      calls = await sides[i]![which].pollOnce();
      const ms = performance.now() - started;
      if (which === 'remote') calls = sim.requests.length - before;
      if (round >= 2) {
        out[i]!.ms.push(ms);
        out[i]!.calls.push(calls);
      }
      sim.requests.length = 0;
    }
  }
  return out;
}

async function compare(
  name: string,
  small: Side,
  large: Side,
  sim: ExampleWasteSimulator,
  advance: () => void,
  count: number,
): Promise<string[]> {
  const lines: string[] = [];
  for (const [which, label] of [
    ['remote', 'getStatus over HTTP'],
    ['local', 'answered in process (the store alone)'],
  ] as const) {
    const [a, b] = await rounds([small, large], which, count, sim, advance);
    const what = which === 'remote' ? 'getStatus calls' : 'updates stored';
    lines.push(`  ${name}, ${label}:`);
    for (const [s, r] of [
      [small, a!],
      [large, b!],
    ] as const) {
      lines.push(
        `    ${n(s.open).padStart(8)} open cases: ${median(r.ms).toFixed(1).padStart(7)} ms a round (median of ${r.ms.length}), ${Math.min(...r.calls)}-${Math.max(...r.calls)} ${what} each`,
      );
    }
    lines.push(`    ratio ${(median(b!.ms) / median(a!.ms)).toFixed(2)} (${n(large.open)} vs ${n(small.open)} open; aim: at most 1.5)`);
  }
  return lines;
}

export async function benchStatusRefresh(options: { stores?: string[] } = {}): Promise<string[]> {
  const largeOpen = Number(process.env.BENCH_REFRESH_LARGE ?? 100_000);
  const smallOpen = Number(process.env.BENCH_REFRESH_SMALL ?? 100);
  const rounds = Number(process.env.BENCH_REFRESH_ROUNDS ?? 9);
  const calls = Number(process.env.BENCH_REFRESH_CALLS ?? 25);
  const stores = options.stores ?? (process.env.BENCH_REFRESH_STORES ?? 'sqlite,postgres').split(',');
  const sim = await startExampleWasteSimulator();
  seedCases(sim, refreshBacklogRows(Math.max(largeOpen, smallOpen)));
  let at = Date.parse(REFRESH_BACKLOG_AT) + DAY_MS;
  const clock = () => new Date(at);
  const advance = () => (at += DAY_MS);
  const rows: string[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-refresh-'));
  try {
    for (const kind of stores) {
      if (kind === 'sqlite') {
        const open = async (cases: number) => {
          const file = path.join(dir, `refresh-${cases}.db`);
          const store = createSqliteStore({ file });
          await store.migrate();
          await store.close();
          fillRefreshBacklogSqlite(file, refreshBacklogRows(cases));
          return side(cases, createSqliteStore({ file }), sim, clock, calls);
        };
        const [small, large] = [await open(smallOpen), await open(largeOpen)];
        try {
          rows.push(...(await compare('SQLite', small, large, sim, advance, rounds)));
        } finally {
          await small.store.close();
          await large.store.close();
        }
      } else if (kind === 'postgres') {
        const availability = postgresAvailability();
        if (!availability.binaries) {
          rows.push(`  PostgreSQL skipped: ${availability.reason}`);
          continue;
        }
        const server = await startPostgresServer(availability.binaries);
        try {
          const open = async (cases: number) => {
            const schema = `refresh_${cases}`;
            const store = createPostgresStore({ connectionString: server.connectionString, schema });
            await store.migrate();
            await fillRefreshBacklogPostgres(server.connectionString, schema, refreshBacklogRows(cases));
            return side(cases, store, sim, clock, calls);
          };
          const [small, large] = [await open(smallOpen), await open(largeOpen)];
          try {
            rows.push(...(await compare('PostgreSQL', small, large, sim, advance, rounds)));
          } finally {
            await small.store.close();
            await large.store.close();
          }
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export const STATUS_REFRESH_TITLE =
  'bench/status-refresh: one status-refresh round (claim, getStatus, store, schedule) with a large store vs a small one (same simulator, same run)';

if (require.main === module) {
  benchStatusRefresh()
    .then((rows) => console.log(`${STATUS_REFRESH_TITLE}\n\n${rows.join('\n')}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
