/**
 * bench/read-model: reading pages of transactions with 100,000 stored, through the runtime's read
 * model (one query per table per page) vs the per-item reads the gateway made before it (one query
 * per item and table), on the same store in the same process.
 *
 * (a) GET /v1/transactions?limit=100 (the API's largest page) through the LGX gateway, vs a bare
 *     Fastify route that reads the page and then each item's deliveries, as the route did before.
 * (b) GET /open311/v2/requests.json (the spec's 1,000 newest in 90 days) through the gateway, vs a
 *     bare route that reads the page and then each request's status updates, as the facade did before.
 * (c) In process, no HTTP: stack.list({ limit: 1000 }) vs the page and each item's deliveries and
 *     status updates read one by one.
 * Same store, same data, same concurrency, alternating rounds, best of each; the ratio is read model
 * over per-item (above 1: the read model answers more pages per second).
 *   npx tsx bench/read-model.ts
 * BENCH_READ_ROWS transactions stored (default 100,000), BENCH_READ_ROUNDS rounds (default 3),
 * BENCH_READ_STORES (sqlite,postgres). PostgreSQL runs on a throwaway server started here (fsync off,
 * both sides alike) and is skipped, with a message, when its binaries are not installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { createTransaction } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import { createPostgresStore, createSqliteStore, createStack, openStack, stateOf, type RunningStack, type Store } from '@lgx/runtime';
import { createApiKey, createGateway, createMemoryKeyStore, type Gateway, type Open311FacadeService } from '../packages/gateway/src';
import { send } from '../packages/gateway/src/open311/open311-format';
import { requestElement } from '../packages/gateway/src/open311/open311-mapping';
import { summaryOf } from '../packages/gateway/src/routes/transaction-view';
import { postgresAvailability, startPostgresServer } from '../packages/runtime/test/helpers/postgres-server';
import { rate } from './rate';

const repoRoot = path.resolve(__dirname, '..');
const COUNCIL = 'E07000223';
const TYPES = ['street.report', 'waste.missedCollection', 'waste.containerRequest', 'waste.bulkyBooking', 'waste.gardenSubscription'];
const CONCURRENCY = 4;
const SERVICES: Open311FacadeService[] = [
  { code: 'MISSED_REFUSE', name: 'Missed refuse collection', type: 'waste.missedCollection', service: 'refuse' },
];
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
let keySeq = 0;

const n = (x: number) => Math.round(x).toLocaleString('en-GB');

/**
 * The baseline: GET /v1/transactions and Open311 GET requests with their reads as they were before the
 * read model, one query per item and table, and the gateway's own mapping and rendering, so only the
 * reads differ. A bench baseline is the raw path by design, so it reads the store itself; nothing
 * else outside the runtime does.
 */
async function startPerItem(store: Store): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  app.get('/v1/transactions', async (request) => {
    const limit = Number((request.query as { limit?: string }).limit ?? 20);
    const rows = await store.listTransactions({ council: COUNCIL, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const items = await Promise.all(
      page.map(async (t) => summaryOf({ transaction: t, state: stateOf(await store.listDeliveries(t.id)) }, '')),
    );
    return { items };
  });
  app.get('/open311/v2/requests.json', async (_request, reply) => {
    const transactions = await store.listTransactions({
      council: COUNCIL,
      types: TYPES,
      from: new Date(Date.now() - 90 * 86_400_000),
      limit: 1000,
    });
    const elements = [];
    for (const t of transactions) {
      const updates = await store.listStatusUpdates(t.id);
      elements.push(requestElement(t, SERVICES, updates[updates.length - 1], false));
    }
    return send(reply, 'json', 200, 'service_requests', 'request', elements);
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

/** Stores `count` transactions (many submits at a time: they share commits); status updates on every third of the newest 3,000. */
async function fill(stack: RunningStack, count: number): Promise<void> {
  const ids: string[] = [];
  for (let done = 0; done < count;) {
    const batch = Math.min(500, count - done);
    const results = await Promise.all(
      Array.from({ length: batch }, () =>
        stack.submit(
          createTransaction('waste.missedCollection', structuredClone(missed[keySeq % missed.length]) as never, {
            council: COUNCIL,
            channel: 'web',
            idempotencyKey: `read-${keySeq++}`,
          }),
        ),
      ),
    );
    ids.push(...results.map((r) => r.id));
    done += batch;
  }
  const followed = ids.slice(-3000).filter((_, i) => i % 3 === 0);
  for (let i = 0; i < followed.length; i += 100) {
    await Promise.all(
      followed.slice(i, i + 100).map((id) =>
        stack.recordStatusUpdate({
          target: 'waste',
          update: {
            transactionId: id,
            externalRef: `MC-${id.slice(0, 8)}`,
            updateId: `u-${id}`,
            status: 'action_scheduled',
            updatedAt: new Date().toISOString(),
          },
        }),
      ),
    );
  }
}

/** Pages per second through the read model and per item, `total` pages a round, alternating rounds; every page must hold `expected` rows. */
async function compare(
  rounds: number,
  total: number,
  readModel: () => Promise<number>,
  perItem: () => Promise<number>,
  expected: number,
): Promise<{ readModel: number[]; perItem: number[] }> {
  const checked = (call: () => Promise<number>) => async () => {
    const rows = await call();
    if (rows !== expected) throw new Error(`a page held ${rows} rows, expected ${expected}`);
  };
  const a = checked(readModel);
  const b = checked(perItem);
  await rate(a, 5, CONCURRENCY);
  await rate(b, 5, CONCURRENCY);
  const out = { readModel: [] as number[], perItem: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    out.perItem.push(await rate(b, total, CONCURRENCY));
    out.readModel.push(await rate(a, total, CONCURRENCY));
  }
  return out;
}

function report(label: string, result: { readModel: number[]; perItem: number[] }): string[] {
  const best = (xs: number[]) => Math.max(...xs);
  const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
  return [
    `  ${label}`,
    `    read model ${best(result.readModel).toFixed(1).padStart(7)} pages/s (rounds ${list(result.readModel)})`,
    `    per item   ${best(result.perItem).toFixed(1).padStart(7)} pages/s (rounds ${list(result.perItem)})`,
    `    ratio ${(best(result.readModel) / best(result.perItem)).toFixed(2)} (read model / per item)`,
  ];
}

async function benchOneStore(name: string, store: Store, options: { rows: number; rounds: number }): Promise<string[]> {
  const definition = await createStack({
    council: COUNCIL,
    adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: 'http://127.0.0.1:9', apiKey: 'bench-not-called' } } },
    routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    open311: { services: SERVICES },
  });
  // Nothing is delivered: the worker is not started, and every transaction stays pending.
  const stack = await openStack(definition, { store, resolveFrom: repoRoot, start: false });
  let gateway: Gateway | undefined;
  let perItem: { url: string; close: () => Promise<void> } | undefined;
  try {
    const started = performance.now();
    await fill(stack, options.rows);
    const rows = [`${name}: ${n(options.rows)} transactions stored in ${n((performance.now() - started) / 1000)} s`];
    const keys = createMemoryKeyStore();
    const { key } = await createApiKey(keys, { council: COUNCIL, scopes: ['read'] });
    // No load shedding or health checks: the bench reads, and nothing else should run beside it.
    gateway = createGateway({ stacks: [stack], keys, loadShedding: false, healthCheckIntervalMs: 3_600_000 });
    const viaGateway = await gateway.listen({ port: 0 });
    perItem = await startPerItem(store);
    const auth = { authorization: `Bearer ${key}` };
    const count = async (url: string, headers: Record<string, string> = {}): Promise<number> => {
      const res = await fetch(url, { headers });
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
      const body = (await res.json()) as { items?: unknown[] } | unknown[];
      return Array.isArray(body) ? body.length : (body.items?.length ?? 0);
    };
    rows.push(
      ...report(
        '(a) GET /v1/transactions?limit=100',
        await compare(
          options.rounds,
          100,
          () => count(`${viaGateway}/v1/transactions?limit=100`, auth),
          () => count(`${perItem!.url}/v1/transactions?limit=100`),
          100,
        ),
      ),
    );
    rows.push(
      ...report(
        '(b) GET /open311/v2/requests.json (1,000 rows)',
        await compare(
          options.rounds,
          20,
          () => count(`${viaGateway}/open311/v2/requests.json`),
          () => count(`${perItem!.url}/open311/v2/requests.json`),
          1000,
        ),
      ),
    );
    rows.push(
      ...report(
        '(c) in process: a page of 1,000 with each state and newest status',
        await compare(
          options.rounds,
          20,
          async () => (await stack.list({ limit: 1000 })).length,
          async () => {
            const page = await store.listTransactions({ council: COUNCIL, limit: 1000 });
            await Promise.all(page.map(async (t) => [await store.listDeliveries(t.id), await store.listStatusUpdates(t.id)]));
            return page.length;
          },
          1000,
        ),
      ),
    );
    return rows;
  } finally {
    await gateway?.close().catch(() => undefined);
    await perItem?.close().catch(() => undefined);
    await stack.close().catch(() => undefined);
  }
}

export async function benchReadModel(options: { rows?: number; rounds?: number; stores?: string[] } = {}): Promise<string[]> {
  const rows = options.rows ?? Number(process.env.BENCH_READ_ROWS ?? 100_000);
  const rounds = options.rounds ?? Number(process.env.BENCH_READ_ROUNDS ?? 3);
  const stores = options.stores ?? (process.env.BENCH_READ_STORES ?? 'sqlite,postgres').split(',');
  const out = [`${n(rows)} transactions stored; concurrency ${CONCURRENCY}; best of ${rounds} alternating rounds`];
  for (const name of stores) {
    out.push('');
    if (name === 'postgres') {
      const availability = postgresAvailability();
      if (!availability.binaries) {
        out.push(availability.reason.replace('PostgreSQL tests skipped', 'PostgreSQL skipped'));
        continue;
      }
      const server = await startPostgresServer(availability.binaries);
      try {
        out.push(
          ...(await benchOneStore('PostgreSQL', createPostgresStore({ connectionString: server.connectionString, schema: 'bench_read' }), {
            rows,
            rounds,
          })),
        );
      } finally {
        await server.stop();
      }
      continue;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-read-'));
    try {
      out.push(...(await benchOneStore('SQLite', createSqliteStore({ file: path.join(dir, 'read.db') }), { rows, rounds })));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

if (require.main === module) {
  benchReadModel()
    .then((rows) =>
      console.log(
        `bench/read-model: pages read through the read model vs per-item reads on the same store (same run)\n\n${rows.join('\n')}`,
      ),
    )
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
