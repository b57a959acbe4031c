/**
 * bench/fairness: one council's backlog and slow back office against another council's deliveries,
 * both councils served by one process on one database (each council its own stack and store: its own
 * PostgreSQL schema, or its own SQLite file), as `startService` runs them.
 *
 * Council A's back office answers in 2 s and A has BENCH_FAIRNESS_BACKLOG (default 50,000) queued;
 * council B's answers in 20 ms. B's submit-to-delivered latency is measured with 4 clients, each
 * submitting and waiting for its delivery, BENCH_FAIRNESS_TOTAL (default 200) per round, in
 * alternating rounds with A idle (its worker stopped) and A busy (its worker draining its backlog, 8
 * in flight), BENCH_FAIRNESS_ROUNDS (default 3) each; the lowest p99 of each is compared. Aim: B's p99
 * with A busy at most 2x its p99 with A idle.
 *
 *   npm run bench:fairness    (or npx tsx bench/fairness.ts)
 * BENCH_FAIRNESS_STORES (postgres,sqlite). PostgreSQL is a throwaway server started here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import { createPostgresStore, createSqliteStore, createStack, openStack, type RunningStack, type Store } from '@lgx/runtime';
import { API_KEY } from '@lgx/adapter-template/testing';
import { startSimulator } from './backlog';
import { onPostgres, runBench } from './bench-main';

const repoRoot = path.resolve(__dirname, '..');
const A = 'E07000223';
const B = 'E07000224';
const CONCURRENCY = 8;
const CLIENTS = 4;
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
let keySeq = 0;
const tx = (council: string) =>
  createTransaction('waste.missedCollection', structuredClone(missed[keySeq % missed.length]!), {
    council,
    channel: 'web',
    idempotencyKey: `fair-${keySeq++}`,
  });

const n = (x: number) => Math.round(x).toLocaleString('en-GB');
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function open(council: string, simUrl: string, store: Store): Promise<RunningStack> {
  const definition = await createStack(
    {
      council,
      adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: simUrl, apiKey: '${env:EXAMPLE_WASTE_KEY}' } } },
      routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    },
    { env: { EXAMPLE_WASTE_KEY: API_KEY } },
  );
  return openStack(definition, {
    store,
    resolveFrom: repoRoot,
    start: false,
    polling: false,
    worker: { concurrency: CONCURRENCY, perTarget: CONCURRENCY },
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** B's submit-to-delivered latencies: CLIENTS loops, each submitting and waiting for its delivery. */
async function measureB(stack: RunningStack, waiting: Map<string, () => void>, total: number): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next++ < total) {
        const envelope = tx(B);
        const t0 = performance.now();
        const done = new Promise<void>((resolve) => waiting.set(envelope.id, resolve));
        await stack.submit(envelope);
        await done;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function benchStore(
  name: string,
  openStore: (label: string) => Store,
  urls: { slow: string; fast: string },
  options: { backlog: number; total: number; rounds: number },
): Promise<string[]> {
  const a = await open(A, urls.slow, openStore('a'));
  const b = await open(B, urls.fast, openStore('b'));
  try {
    const started = performance.now();
    for (let done = 0; done < options.backlog;) {
      const batch = Math.min(500, options.backlog - done);
      await Promise.all(Array.from({ length: batch }, () => a.submit(tx(A))));
      done += batch;
    }
    const fillS = (performance.now() - started) / 1000;
    const waiting = new Map<string, () => void>();
    b.onDelivery((event) => {
      if (event.kind !== 'delivered') return;
      waiting.get(event.transactionId)?.();
      waiting.delete(event.transactionId);
    });
    b.start();
    let aDelivered = 0;
    a.onDelivery((event) => {
      if (event.kind === 'delivered') aDelivered += 1;
    });
    await measureB(b, waiting, 50);
    const idle: Array<{ p50: number; p99: number }> = [];
    const busy: Array<{ p50: number; p99: number }> = [];
    for (let round = 0; round < options.rounds; round++) {
      idle.push(await measureB(b, waiting, options.total));
      a.start();
      // A's worker has its 8 slots taken by 2 s calls before B is measured.
      await new Promise((resolve) => setTimeout(resolve, 500));
      busy.push(await measureB(b, waiting, options.total));
      await a.stopDelivering();
    }
    const low = (runs: typeof idle, k: 'p50' | 'p99') => Math.min(...runs.map((r) => r[k]));
    const ratio = low(busy, 'p99') / low(idle, 'p99');
    const list = (runs: typeof idle) => runs.map((r) => ms(r.p99)).join(', ');
    return [
      `${name}: council A ${n(options.backlog)} queued in ${fillS.toFixed(0)} s; A delivered ${n(aDelivered)} during the busy rounds (2 s each, ${CONCURRENCY} in flight)`,
      `  council B p50 / p99, A idle: ${ms(low(idle, 'p50'))} / ${ms(low(idle, 'p99'))} (p99 rounds ${list(idle)})`,
      `  council B p50 / p99, A busy: ${ms(low(busy, 'p50'))} / ${ms(low(busy, 'p99'))} (p99 rounds ${list(busy)})`,
      `  ratio busy/idle p99 ${ratio.toFixed(2)} (aim: at most 2.00) ${ratio <= 2 ? 'ok' : 'ABOVE AIM'}`,
    ];
  } finally {
    await a.close();
    await b.close();
  }
}

export async function benchFairness(): Promise<string[]> {
  const backlog = Number(process.env.BENCH_FAIRNESS_BACKLOG ?? 50_000);
  const total = Number(process.env.BENCH_FAIRNESS_TOTAL ?? 200);
  const rounds = Number(process.env.BENCH_FAIRNESS_ROUNDS ?? 3);
  const stores = (process.env.BENCH_FAIRNESS_STORES ?? 'postgres,sqlite').split(',');
  const slow = await startSimulator(2000);
  const fast = await startSimulator(20);
  const urls = { slow: slow.url, fast: fast.url };
  const options = { backlog, total, rounds };
  const rows = [
    `B measured with ${CLIENTS} clients, ${n(total)} per round; lowest p50 and p99 of ${rounds} alternating rounds each; each council its own worker (${CONCURRENCY} in flight) and store`,
  ];
  try {
    for (const store of stores) {
      rows.push('');
      if (store === 'postgres') {
        rows.push(
          ...(await onPostgres((connectionString) =>
            benchStore(
              'PostgreSQL',
              (label) => createPostgresStore({ connectionString, schema: `fair_${label}`, maxConnections: 10 }),
              urls,
              options,
            ),
          )),
        );
      } else {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-fairness-'));
        try {
          rows.push(...(await benchStore('SQLite', (label) => createSqliteStore({ file: path.join(dir, `${label}.db`) }), urls, options)));
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
    }
    return rows;
  } finally {
    await slow.stop();
    await fast.stop();
  }
}

if (require.main === module)
  runBench(
    "bench/fairness: council B's submit-to-delivered latency while council A's slow back office has a backlog (same run)",
    benchFairness,
  );
