/**
 * bench/cluster: delivered per second with 1, 2 and 3 worker processes on one PostgreSQL against the
 * Example Waste simulator answering in 20 ms (in a process of its own), and side by side in the same
 * run pg-boss on the same database doing the same work: a job per transaction, consumers POSTing the
 * adapter's request body to the same simulator with the same concurrency per process.
 *
 * Each run queues `BENCH_CLUSTER_JOBS` (default 4,000) with no worker running (LGX: submits through a
 * stack, so each is a transaction with its delivery and audit entry; pg-boss: one batch insert), starts
 * K child processes, waits until each says it is connected, tells them all to go, and times until the
 * database holds every one as delivered (LGX) or completed (pg-boss). LGX and pg-boss alternate at each
 * K, BENCH_CLUSTER_ROUNDS rounds (default 2), best of each.
 *
 *   npm run bench:cluster    (or npx tsx bench/cluster.ts)
 * BENCH_CLUSTER_JOBS, BENCH_CLUSTER_ROUNDS, BENCH_CLUSTER_CONCURRENCY (8 per process),
 * BENCH_CLUSTER_PROCESSES (1,2,3). PostgreSQL is a throwaway server started here (fsync off, as in the
 * tests: both sides run on it alike).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import PgBoss from 'pg-boss';
import { createTransaction } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import { createPostgresStore, createSqliteStore, createStack, openStack, type RunningStack } from '@lgx/runtime';
import { API_KEY, startExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { startSimulator } from './backlog';
import { onPostgres, runBench } from './bench-main';

type Worker = ChildProcessByStdio<Writable, Readable, null>;

const repoRoot = path.resolve(__dirname, '..');
const COUNCIL = 'E07000223';
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
let keySeq = 0;
const tx = () =>
  createTransaction('waste.missedCollection', structuredClone(missed[keySeq % missed.length]!), {
    council: COUNCIL,
    channel: 'web',
    idempotencyKey: `cluster-${keySeq++}`,
  });

const n = (x: number) => Math.round(x).toLocaleString('en-GB');

async function definition(simUrl: string) {
  return createStack(
    {
      council: COUNCIL,
      adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: simUrl, apiKey: '${env:EXAMPLE_WASTE_KEY}' } } },
      routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    },
    { env: { EXAMPLE_WASTE_KEY: API_KEY } },
  );
}

/** The body the template adapter POSTs for a transaction: what the pg-boss consumers send as it is. */
async function adapterBody(): Promise<string> {
  const sim = await startExampleWasteSimulator();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-cluster-'));
  let stack: RunningStack | undefined;
  try {
    stack = await openStack(await definition(sim.url), {
      store: createSqliteStore({ file: path.join(dir, 'body.db') }),
      resolveFrom: repoRoot,
      polling: false,
    });
    const delivered = new Promise<void>((resolve) => stack!.onDelivery((e) => e.kind === 'delivered' && resolve()));
    await stack.submit(tx());
    await delivered;
    return sim.requests.find((r) => r.method === 'POST')!.body;
  } finally {
    await stack?.close();
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** K worker processes, each connected and waiting for `go`. */
async function spawnWorkers(k: number, args: string[]): Promise<Worker[]> {
  const children = Array.from({ length: k }, () =>
    spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'cluster-worker.ts'), ...args], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes('ready\n')) resolve();
          });
          child.on('exit', (code) => reject(new Error(`a worker process exited (${String(code)}) before it was ready`)));
        }),
    ),
  );
  return children;
}

async function stopWorkers(children: Worker[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.on('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.stdin.end();
        }),
    ),
  );
}

/** Tells the workers to go and resolves the rate once `done()` reaches `jobs` (at most `maxMs`). */
async function timed(children: Worker[], jobs: number, done: () => Promise<number>, maxMs: number) {
  const started = performance.now();
  for (const child of children) child.stdin.write('go\n');
  let count = 0;
  while ((count = await done()) < jobs) {
    if (performance.now() - started > maxMs) throw new Error(`only ${count} of ${jobs} done after ${maxMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return (jobs * 1000) / (performance.now() - started);
}

interface Setup {
  connectionString: string;
  /** How many rows a query counts. */
  count(sql: string, values?: unknown[]): Promise<number>;
  simUrl: string;
  jobs: number;
  concurrency: number;
  maxProcesses: number;
}

let runSeq = 0;

/** LGX: `jobs` transactions queued through a stack with no worker, then delivered by K worker processes. */
async function lgxRun(setup: Setup, k: number): Promise<number> {
  const schema = `cluster_${runSeq++}`;
  const filler = await openStack(await definition(setup.simUrl), {
    store: createPostgresStore({ connectionString: setup.connectionString, schema, maxConnections: 10 }),
    resolveFrom: repoRoot,
    start: false,
    polling: false,
  });
  try {
    for (let done = 0; done < setup.jobs;) {
      const batch = Math.min(500, setup.jobs - done);
      await Promise.all(Array.from({ length: batch }, () => filler.submit(tx())));
      done += batch;
    }
  } finally {
    await filler.close();
  }
  // The per-target cap holds across processes, so it is set to what all of them together may have in flight.
  const cap = setup.concurrency * setup.maxProcesses;
  const children = await spawnWorkers(k, ['lgx', setup.connectionString, schema, setup.simUrl, String(setup.concurrency), String(cap)]);
  try {
    return await timed(
      children,
      setup.jobs,
      () => setup.count(`SELECT COUNT(*) AS n FROM "${schema}".deliveries WHERE state = 'delivered'`),
      300_000,
    );
  } finally {
    await stopWorkers(children);
  }
}

/** pg-boss: `jobs` jobs inserted in one batch, then fetched, POSTed and completed by K consumer processes. */
async function pgbossRun(setup: Setup, boss: PgBoss, body: string, k: number): Promise<number> {
  const queue = `cluster_${runSeq++}`;
  await boss.createQueue(queue);
  for (let done = 0; done < setup.jobs;) {
    const batch = Math.min(1000, setup.jobs - done);
    await boss.insert(Array.from({ length: batch }, () => ({ name: queue, data: { body, key: `boss-${keySeq++}` } })));
    done += batch;
  }
  const children = await spawnWorkers(k, ['pgboss', setup.connectionString, queue, setup.simUrl, String(setup.concurrency)]);
  try {
    return await timed(
      children,
      setup.jobs,
      () => setup.count(`SELECT COUNT(*) AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [queue]),
      300_000,
    );
  } finally {
    await stopWorkers(children);
  }
}

export async function benchCluster(): Promise<string[]> {
  const jobs = Number(process.env.BENCH_CLUSTER_JOBS ?? 4000);
  const rounds = Number(process.env.BENCH_CLUSTER_ROUNDS ?? 2);
  const concurrency = Number(process.env.BENCH_CLUSTER_CONCURRENCY ?? 8);
  const processes = (process.env.BENCH_CLUSTER_PROCESSES ?? '1,2,3').split(',').map(Number);
  const body = await adapterBody();
  const sim = await startSimulator(20);
  try {
    return await onPostgres(async (connectionString) => {
      const boss = new PgBoss({ connectionString, max: 4, supervise: false, schedule: false });
      boss.on('error', (error: unknown) => console.error('pg-boss:', error));
      await boss.start();
      const bossVersion = (JSON.parse(fs.readFileSync(require.resolve('pg-boss/package.json'), 'utf8')) as { version: string }).version;
      const db = boss.getDb();
      const count = async (sql: string, values: unknown[] = []) =>
        Number(((await db.executeSql(sql, values)) as { rows: Array<{ n: string }> }).rows[0]?.n ?? 0);
      const setup: Setup = { connectionString, count, simUrl: sim.url, jobs, concurrency, maxProcesses: Math.max(...processes) };
      const rows = [
        `${n(jobs)} per run, ${concurrency} in flight per process, simulator answering in 20 ms, ${os.cpus().length} CPU cores; best of ${rounds} alternating rounds`,
        `LGX: a stack per process on createPostgresStore (pool of 10), worker concurrency ${concurrency}, per-target cap ${concurrency * setup.maxProcesses} (across processes)`,
        `pg-boss ${bossVersion}: queue policy standard, default retry and expiry, ${concurrency} loops per process each fetch() one job, POST, complete(); an empty fetch waits 20 ms; pool of 10, supervise and schedule off in the workers`,
        '',
        `${'processes'.padEnd(10)} ${'LGX/s'.padStart(8)} ${'pg-boss/s'.padStart(10)} ${'LGX/pg-boss'.padStart(12)} ${'LGX scaling'.padStart(12)} ${'pg-boss scaling'.padStart(16)}`,
      ];
      let lgxBase = 0;
      let bossBase = 0;
      try {
        for (const k of processes) {
          const lgxRates: number[] = [];
          const bossRates: number[] = [];
          for (let round = 0; round < rounds; round++) {
            lgxRates.push(await lgxRun(setup, k));
            bossRates.push(await pgbossRun(setup, boss, body, k));
          }
          const l = Math.max(...lgxRates);
          const b = Math.max(...bossRates);
          if (lgxBase === 0) [lgxBase, bossBase] = [l, b];
          rows.push(
            `${String(k).padEnd(10)} ${n(l).padStart(8)} ${n(b).padStart(10)} ${(l / b).toFixed(2).padStart(12)} ${(l / lgxBase).toFixed(2).padStart(12)} ${(b / bossBase).toFixed(2).padStart(16)}   rounds LGX ${lgxRates.map(n).join(', ')}; pg-boss ${bossRates.map(n).join(', ')}`,
          );
        }
        rows.push(
          '',
          'aims: LGX/pg-boss at least 1.00; LGX scaling 2.5x at 3 processes given a core per process (plus the database and simulator)',
        );
        return rows;
      } finally {
        await boss.stop({ graceful: false, wait: true });
      }
    });
  } finally {
    await sim.stop();
  }
}

if (require.main === module)
  runBench('bench/cluster: delivered per second by 1..3 worker processes on one PostgreSQL, LGX vs pg-boss (same run)', benchCluster);
