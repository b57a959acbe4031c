/**
 * What encrypting personal data at rest costs, in one process against the Example Waste simulator on
 * 127.0.0.1, on SQLite and on PostgreSQL:
 * (a) accept and deliver: C clients submit missed collections (each with a resident's name, email and
 *     phone) to a running stack and the run ends when every one is delivered; the same with
 *     `encryption.key` set and without, on fresh stores, in alternating rounds (BENCH_ENCRYPTION_ROUNDS,
 *     default 3; BENCH_ENCRYPTION_TOTAL transactions a pass, default 2,000); the best of each side and
 *     the ratio on/off (1: free; the aim is 0.9 or more).
 * (b) rotation with BENCH_ENCRYPTION_ROWS sealed transactions stored (default 100,000): the time
 *     `rotateDataKey` takes to seal every one again in batches, and the accept rate while it runs over
 *     the rate just before (how much the running stack notices: 1 is not at all).
 *   npm run bench:encryption
 * BENCH_ENCRYPTION_STORES (sqlite,postgres). PostgreSQL runs on a throwaway server started here
 * (fsync off, both sides alike) and is skipped, with a message, when its binaries are not installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTransaction, type Envelope } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import {
  createPostgresStore,
  createSqliteStore,
  createStack,
  openStack,
  parseKeyEncryptionKey,
  rotateDataKey,
  type RunningStack,
  type Store,
} from '@lgx/runtime';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '../packages/adapters/template/src/testing';
import { postgresAvailability, startPostgresServer } from '../packages/runtime/test/helpers/postgres-server';
import { rate } from './rate';

const repoRoot = path.resolve(__dirname, '..');
const COUNCIL = 'E07000223';
const KEK = randomBytes(32).toString('base64');
const CONCURRENCY = 16;
const TOTAL = Number(process.env.BENCH_ENCRYPTION_TOTAL ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ENCRYPTION_ROUNDS ?? 3);
const ROWS = Number(process.env.BENCH_ENCRYPTION_ROWS ?? 100_000);
const STORES = (process.env.BENCH_ENCRYPTION_STORES ?? 'sqlite,postgres').split(',');

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })
  .map((f) => f.data as Record<string, unknown>)
  .filter((d) => d.requester !== undefined);
let keySeq = 0;
/** A fresh idempotency key per transaction, so every one is stored and delivered. */
const tx = (): Envelope =>
  createTransaction('waste.missedCollection', structuredClone(missed[keySeq % missed.length]!), {
    council: COUNCIL,
    channel: 'web',
    idempotencyKey: `bench-enc-${keySeq++}`,
  });

const n = (x: number) => Math.round(x).toLocaleString('en-GB');

async function open(sim: ExampleWasteSimulator, store: Store, encrypted: boolean): Promise<RunningStack> {
  const definition = await createStack(
    {
      council: COUNCIL,
      adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: sim.url, apiKey: '${env:EXAMPLE_WASTE_KEY}' } } },
      routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
      ...(encrypted ? { encryption: { key: '${env:LGX_KEK}' } } : {}),
    },
    { env: { EXAMPLE_WASTE_KEY: API_KEY, LGX_KEK: KEK } },
  );
  return openStack(definition, {
    store,
    resolveFrom: repoRoot,
    worker: { concurrency: CONCURRENCY, perTarget: CONCURRENCY },
    polling: false,
  });
}

/** Submits `total` transactions from C clients and waits until all are delivered: transactions per second. */
async function acceptAndDeliver(stack: RunningStack, total: number): Promise<number> {
  let delivered = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const off = stack.onDelivery((event) => {
    if (event.kind === 'delivered' && ++delivered === total) done();
  });
  const started = process.hrtime.bigint();
  await rate(() => stack.submit(tx()), total, CONCURRENCY);
  await all;
  off();
  return (total * 1e9) / Number(process.hrtime.bigint() - started);
}

interface StoreMaker {
  name: string;
  make: (label: string) => Store;
}

async function benchStore(sim: ExampleWasteSimulator, maker: StoreMaker): Promise<void> {
  let bestOn = 0;
  let bestOff = 0;
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const encrypted of round % 2 === 1 ? [false, true] : [true, false]) {
      const stack = await open(sim, maker.make(`r${round}-${encrypted ? 'on' : 'off'}`), encrypted);
      await acceptAndDeliver(stack, Math.min(200, TOTAL)); // warm-up
      const perSecond = await acceptAndDeliver(stack, TOTAL);
      await stack.close();
      if (encrypted) bestOn = Math.max(bestOn, perSecond);
      else bestOff = Math.max(bestOff, perSecond);
    }
  }
  console.log(
    `${maker.name}: accept and deliver ${n(TOTAL)} at ${CONCURRENCY} clients: encryption off ${n(bestOff)}/s, on ${n(bestOn)}/s, ratio on/off ${(bestOn / bestOff).toFixed(2)}`,
  );

  // (b) rotation over ROWS sealed transactions, with the stack accepting throughout.
  const store = maker.make('rotation');
  const stack = await open(sim, store, true);
  await stack.stopDelivering();
  const loaded = process.hrtime.bigint();
  await rate(() => stack.submit(tx()), ROWS, 64);
  console.log(`${maker.name}: ${n(ROWS)} sealed transactions stored in ${(Number(process.hrtime.bigint() - loaded) / 1e9).toFixed(1)} s`);
  const before = await rate(() => stack.submit(tx()), 1_000, CONCURRENCY);
  let rotating = true;
  const started = process.hrtime.bigint();
  const rotation = rotateDataKey({ store, council: COUNCIL, kek: parseKeyEncryptionKey(KEK), batchSize: 500, graceMs: 0 }).finally(
    () => (rotating = false),
  );
  let during = 0;
  let accepted = 0;
  const window = process.hrtime.bigint();
  while (rotating) {
    during += await rate(() => stack.submit(tx()), 200, CONCURRENCY);
    accepted += 1;
  }
  const result = await rotation;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `${maker.name}: rotation sealed ${n(result.resealed)} rows again in ${seconds.toFixed(1)} s (${n(result.resealed / seconds)} rows/s), retired ${result.retired.length} key(s); accepts during it ${n(during / Math.max(1, accepted))}/s vs ${n(before)}/s before, ratio ${(during / Math.max(1, accepted) / before).toFixed(2)} (${n(Number(process.hrtime.bigint() - window) / 1e6)} ms of accepting)`,
  );
  await stack.close();
}

async function main(): Promise<void> {
  const sim = await startExampleWasteSimulator();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-encryption-'));
  try {
    if (STORES.includes('sqlite'))
      await benchStore(sim, { name: 'SQLite', make: (label) => createSqliteStore({ file: path.join(dir, `${label}.db`) }) });
    if (STORES.includes('postgres')) {
      const availability = postgresAvailability();
      if (!availability.binaries) console.log(`PostgreSQL: skipped (${availability.reason})`);
      else {
        const server = await startPostgresServer(availability.binaries);
        try {
          await benchStore(sim, {
            name: 'PostgreSQL',
            make: (label) =>
              createPostgresStore({ connectionString: server.connectionString, schema: `bench_enc_${label.replace(/-/g, '_')}` }),
          });
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
