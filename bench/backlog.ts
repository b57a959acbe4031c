/**
 * bench/backlog: what a long queue costs, on SQLite and on PostgreSQL, against the Example Waste
 * simulator answering in 20 ms (in a process of its own, so its CPU is not in the loop measured).
 *
 * (a) Drain rate: a stack with 1,000 queued and one with 100,000 queued (filled through the store
 *     with the worker stopped), then, in alternating rounds, each one's worker is started, `warmup`
 *     deliveries are let through, and the next `window` deliveries are timed. The short queue is
 *     topped up before each round. Aim: the long queue drains at least 0.8x as fast as the short one.
 * (b) Request latency: p99 of GET /v1/health and of POST /v1/transactions through the gateway, on a
 *     stack with an empty queue and on the one with 100,000 queued while its worker drains it, in
 *     alternating rounds. Aim: at most 2x the empty queue's.
 *
 *   npx tsx bench/backlog.ts    (or npm run bench:backlog)
 * BENCH_BACKLOG_LARGE (default 100,000), BENCH_BACKLOG_SMALL (1,000), BENCH_BACKLOG_STORES
 * (sqlite,postgres), BENCH_BACKLOG_ROUNDS (3). PostgreSQL runs on a throwaway server started here, as
 * the tests start it (fsync off: both sides of each ratio run on it alike), and is skipped, with a
 * message, when its binaries are not installed. `npm run bench:backlog` runs it; it takes a few minutes
 * (most of them filling PostgreSQL with 100,000 transactions).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import { createPostgresStore, createSqliteStore, createStack, type RunningStack, type Store } from '@lgx/runtime';
import { createApiKey, createMemoryKeyStore, startService, type Service } from '../packages/gateway/src';
import { API_KEY } from '@lgx/adapter-template/testing';
import { postgresAvailability, startPostgresServer, type PostgresServer } from '../packages/runtime/test/helpers/postgres-server';

const repoRoot = path.resolve(__dirname, '..');
const COUNCIL = 'E07000223';
const CONCURRENCY = 8;
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
let keySeq = 0;
const tx = () =>
  createTransaction('waste.missedCollection', structuredClone(missed[keySeq % missed.length]!), {
    council: COUNCIL,
    channel: 'web',
    idempotencyKey: `backlog-${keySeq++}`,
  });

const n = (x: number) => Math.round(x).toLocaleString('en-GB');
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** The simulator in a child process; resolves its URL. */
export async function startSimulator(latencyMs: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'backlog-simulator.ts'), String(latencyMs)], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
    child.on('exit', (code) => reject(new Error(`the simulator exited (${String(code)}) before it listened`)));
  });
  return {
    url,
    stop: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Queues `count` transactions with the worker stopped, many submits at a time (they share commits). */
async function fill(stack: RunningStack, count: number): Promise<number> {
  const started = performance.now();
  for (let done = 0; done < count;) {
    const batch = Math.min(500, count - done);
    await Promise.all(Array.from({ length: batch }, () => stack.submit(tx())));
    done += batch;
  }
  return (count * 1000) / (performance.now() - started);
}

/** Counts a stack's deliveries as they happen, and waits for a count. */
function deliveredCounter(stack: RunningStack) {
  let count = 0;
  let waiter: { target: number; resolve: () => void } | undefined;
  stack.onDelivery((event) => {
    if (event.kind !== 'delivered') return;
    count += 1;
    if (waiter && count >= waiter.target) waiter.resolve();
  });
  return {
    get count() {
      return count;
    },
    /** Resolves once `target` deliveries were counted, or at `deadline` (performance.now() time). */
    until(target: number, deadline: number): Promise<void> {
      if (count >= target) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
        waiter = {
          target,
          resolve: () => {
            clearTimeout(timer);
            waiter = undefined;
            resolve();
          },
        };
      });
    },
  };
}

/** Starts the worker, lets `warmup` deliveries through, times the next `window` (at most `maxMs`), stops it. */
async function drain(
  stack: RunningStack,
  counter: ReturnType<typeof deliveredCounter>,
  options: { warmup: number; window: number; maxMs: number },
): Promise<number> {
  stack.start();
  try {
    await counter.until(counter.count + options.warmup, performance.now() + options.maxMs);
    const from = counter.count;
    const started = performance.now();
    await counter.until(from + options.window, started + options.maxMs);
    return ((counter.count - from) * 1000) / (performance.now() - started);
  } finally {
    await stack.stopDelivering();
  }
}

function request(agent: http.Agent, url: URL, method: 'GET' | 'POST', headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        headers:
          body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** p99 in ms of `count` calls of `call`, `concurrency` at a time. */
async function p99(count: number, concurrency: number, call: (i: number) => Promise<void>): Promise<number> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await call(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return percentile(latencies, 99);
}

interface Served {
  service: Service;
  stack: RunningStack;
  base: URL;
  headers: Record<string, string>;
}

/** The bench stack on `store`, served: its worker not started (the bench starts and stops it), nothing polled. */
async function serve(store: Store, simUrl: string): Promise<Served> {
  const definition = await createStack(
    {
      council: COUNCIL,
      adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: simUrl, apiKey: '${env:EXAMPLE_WASTE_KEY}' } } },
      routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    },
    { env: { EXAMPLE_WASTE_KEY: API_KEY } },
  );
  const keys = createMemoryKeyStore();
  const { key } = await createApiKey(keys, { council: COUNCIL, scopes: ['submit', 'read'] });
  const service = await startService(definition, {
    store,
    keys,
    resolveFrom: repoRoot,
    start: false,
    polling: false,
    retention: false,
    worker: { concurrency: CONCURRENCY, perTarget: CONCURRENCY },
  });
  return { service, stack: service.stack, base: new URL(service.url), headers: { authorization: `Bearer ${key}` } };
}

/** p99 of health and of POST on one served stack, its worker running. */
async function requestLatency(served: Served, agent: http.Agent, requests: number): Promise<{ health: number; post: number }> {
  const healthUrl = new URL('/v1/health', served.base);
  const postUrl = new URL('/v1/transactions', served.base);
  const health = await p99(requests, 4, async () => {
    const status = await request(agent, healthUrl, 'GET', {});
    if (status !== 200) throw new Error(`GET /v1/health answered ${status}`);
  });
  const bodies = Array.from({ length: requests }, () => JSON.stringify(tx()));
  const post = await p99(requests, 4, async (i) => {
    const status = await request(agent, postUrl, 'POST', served.headers, bodies[i]);
    if (status !== 202) throw new Error(`POST /v1/transactions answered ${status}`);
  });
  return { health, post };
}

interface StoreKind {
  name: string;
  open(label: string): Store;
  close(): Promise<void>;
}

async function sqliteKind(): Promise<StoreKind> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-backlog-'));
  return {
    name: 'SQLite',
    open: (label) => createSqliteStore({ file: path.join(dir, `${label}.db`) }),
    close: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresKind(): Promise<StoreKind | string> {
  const availability = postgresAvailability();
  if (!availability.binaries) return availability.reason.replace('PostgreSQL tests skipped', 'PostgreSQL skipped');
  const server: PostgresServer = await startPostgresServer(availability.binaries);
  return {
    name: 'PostgreSQL',
    open: (label) => createPostgresStore({ connectionString: server.connectionString, schema: `backlog_${label}`, maxConnections: 10 }),
    close: () => server.stop(),
  };
}

async function benchOneStore(
  kind: StoreKind,
  simUrl: string,
  options: { large: number; small: number; rounds: number },
): Promise<string[]> {
  const rows: string[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const opened: Served[] = [];
  try {
    const empty = await serve(kind.open('empty'), simUrl);
    opened.push(empty);
    const short = await serve(kind.open('short'), simUrl);
    opened.push(short);
    const long = await serve(kind.open('long'), simUrl);
    opened.push(long);
    const fillRate = await fill(long.stack, options.large);
    rows.push(`${kind.name}: ${n(options.large)} queued in ${n(options.large / fillRate)} s (${n(fillRate)} submits/s, worker stopped)`);

    // (a) Drain rate, alternating short and long queue.
    const shortCounter = deliveredCounter(short.stack);
    const longCounter = deliveredCounter(long.stack);
    const window = { warmup: 100, window: 500, maxMs: 20_000 };
    const shortRates: number[] = [];
    const longRates: number[] = [];
    let shortSubmitted = 0;
    for (let round = 0; round < options.rounds; round++) {
      // Topped up to `small`: what was submitted and not delivered is still queued.
      const topUp = options.small - (shortSubmitted - shortCounter.count);
      await fill(short.stack, topUp);
      shortSubmitted += topUp;
      shortRates.push(await drain(short.stack, shortCounter, window));
      longRates.push(await drain(long.stack, longCounter, window));
    }
    const best = (xs: number[]) => Math.max(...xs);
    const list = (xs: number[]) => xs.map(n).join(', ');
    const drainRatio = best(longRates) / best(shortRates);
    rows.push(
      `  (a) delivered/s  ${n(options.small)} queued: ${n(best(shortRates))} (rounds ${list(shortRates)})  ${n(options.large)} queued: ${n(best(longRates))} (rounds ${list(longRates)})`,
    );
    rows.push(`      ratio long/short ${drainRatio.toFixed(2)} (aim: at least 0.80) ${drainRatio >= 0.8 ? 'ok' : 'BELOW AIM'}`);

    // (b) Request latency: empty queue (worker idle) vs long queue (worker draining it).
    const requests = 500;
    const emptyRuns: Array<{ health: number; post: number }> = [];
    const longRuns: Array<{ health: number; post: number }> = [];
    // Only the measured stack's worker runs: both gateways share this process and its event loop.
    const measured = async (served: Served, count: number) => {
      served.stack.start();
      try {
        return await requestLatency(served, agent, count);
      } finally {
        await served.stack.stopDelivering();
      }
    };
    await measured(empty, 100);
    await measured(long, 100);
    for (let round = 0; round < options.rounds; round++) {
      emptyRuns.push(await measured(empty, requests));
      longRuns.push(await measured(long, requests));
    }
    for (const what of ['health', 'post'] as const) {
      const e = Math.min(...emptyRuns.map((r) => r[what]));
      const l = Math.min(...longRuns.map((r) => r[what]));
      const label = what === 'health' ? 'GET /v1/health       ' : 'POST /v1/transactions';
      rows.push(
        `  (b) ${label} p99  empty: ${ms(e)} (rounds ${emptyRuns.map((r) => ms(r[what])).join(', ')})  ${n(options.large)} queued, draining: ${ms(l)} (rounds ${longRuns.map((r) => ms(r[what])).join(', ')})`,
      );
      rows.push(`      ratio ${(l / e).toFixed(2)} (aim: at most 2.00) ${l / e <= 2 ? 'ok' : 'ABOVE AIM'}`);
    }
    return rows;
  } finally {
    agent.destroy();
    for (const served of opened) await served.service.stop().catch(() => undefined);
  }
}

export async function benchBacklog(
  options: { large?: number; small?: number; rounds?: number; stores?: string[] } = {},
): Promise<string[]> {
  const large = options.large ?? Number(process.env.BENCH_BACKLOG_LARGE ?? 100_000);
  const small = options.small ?? Number(process.env.BENCH_BACKLOG_SMALL ?? 1_000);
  const rounds = options.rounds ?? Number(process.env.BENCH_BACKLOG_ROUNDS ?? 3);
  const stores = options.stores ?? (process.env.BENCH_BACKLOG_STORES ?? 'sqlite,postgres').split(',');
  const sim = await startSimulator(20);
  const rows: string[] = [
    `${CONCURRENCY} deliveries in flight, simulator answering in 20 ms; rates are best of ${rounds} alternating rounds, p99s the lowest of ${rounds}`,
  ];
  try {
    for (const name of stores) {
      const kind = name === 'postgres' ? await postgresKind() : await sqliteKind();
      rows.push('');
      if (typeof kind === 'string') {
        rows.push(kind);
        continue;
      }
      try {
        rows.push(...(await benchOneStore(kind, sim.url, { large, small, rounds })));
      } finally {
        await kind.close();
      }
    }
    return rows;
  } finally {
    await sim.stop();
  }
}

if (require.main === module) {
  benchBacklog()
    .then((rows) =>
      console.log(`bench/backlog: drain rate and request latency with a long queue vs a short one (same run)\n\n${rows.join('\n')}`),
    )
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
