/**
 * bench/gateway: accepted submits per second over HTTP on 127.0.0.1, in one process.
 * (a) POST /v1/transactions through the LGX gateway: API-key auth, LGX's JSON parsing, validation,
 *     routing and one durable SQLite commit (synchronous=FULL) before the 202. The stack's worker is
 *     not started, so nothing is delivered during the bench: this measures acceptance only.
 * (b) A bare Fastify 5 route that parses JSON with Fastify's default parser and does the same durable
 *     insert (`store.insertTransaction` of its own SQLite store: one pending delivery, one audit entry)
 *     with no auth and no validation, then answers 202.
 * Same keep-alive clients, same concurrency, same number of requests, alternating rounds, best of each.
 *   npx tsx bench/gateway.ts
 * BENCH_GATEWAY_N requests per round (default 3,000), BENCH_GATEWAY_ROUNDS rounds each (default 3),
 * BENCH_GATEWAY_DIR where the SQLite files go (default the OS temp dir; /dev/shm takes the disk out and
 * leaves the CPU cost alone).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { createTransaction, type Envelope } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import { createSqliteStore, createStack, type Store } from '@lgx/runtime';
import { createApiKey, createMemoryKeyStore, startService, type Service } from '../packages/gateway/src';
// The baseline hashes the payload for its audit entry as the store does; the hash is not public API.
import { payloadHash } from '../packages/runtime/src/internal/canonical-json';
import { API_KEY, startExampleWasteSimulator } from '../packages/adapters/template/src/testing';
import { rate } from './rate';

const repoRoot = path.resolve(__dirname, '..');
const COUNCIL = 'E07000223';
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
let keySeq = 0;

/** `count` request bodies, each a full envelope with its own id and idempotency key. */
function bodies(count: number): string[] {
  return Array.from({ length: count }, () => {
    const data = structuredClone(missed[keySeq % missed.length]!);
    return JSON.stringify(
      createTransaction('waste.missedCollection', data, { council: COUNCIL, channel: 'web', idempotencyKey: `bench-gw-${keySeq++}` }),
    );
  });
}

/** One POST on a keep-alive agent; resolves the status once the whole response has been read. */
function post(agent: http.Agent, url: URL, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** `concurrency` clients POSTing the prepared bodies one at a time each; accepted (202) per second. */
function round(agent: http.Agent, url: URL, headers: Record<string, string>, payloads: string[], concurrency: number): Promise<number> {
  return rate(
    async (i) => {
      const status = await post(agent, url, headers, payloads[i]!);
      if (status !== 202) throw new Error(`POST ${url.href} answered ${status}, expected 202`);
    },
    payloads.length,
    concurrency,
  );
}

/** The baseline: Fastify's defaults, one route, the same durable insert the stack makes on submit. */
async function startBare(store: Store): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  app.post('/v1/transactions', async (request, reply) => {
    const envelope = request.body as Envelope;
    const result = await store.insertTransaction({
      envelope,
      deliveries: [{ id: randomUUID(), target: 'waste', mode: 'one', order: 0, state: 'pending' }],
      audit: {
        actor: 'key:bench',
        action: 'transaction.accepted',
        payloadHash: payloadHash(envelope.data),
        details: { type: envelope.type, route: 0 },
      },
      now: new Date(),
    });
    return reply.code(202).send({ id: result.id, duplicate: result.duplicate });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

const n = (x: number) => Math.round(x).toLocaleString('en-GB');

export async function benchGateway(
  options: { requests?: number; concurrency?: number; rounds?: number; warmup?: number; dir?: string } = {},
): Promise<string[]> {
  const requests = options.requests ?? Number(process.env.BENCH_GATEWAY_N ?? 3000);
  const concurrency = options.concurrency ?? 16;
  const rounds = options.rounds ?? Number(process.env.BENCH_GATEWAY_ROUNDS ?? 3);
  const warmup = options.warmup ?? 500;
  const dir = fs.mkdtempSync(path.join(options.dir ?? process.env.BENCH_GATEWAY_DIR ?? os.tmpdir(), 'lgx-bench-gateway-'));
  const sim = await startExampleWasteSimulator();
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let service: Service | undefined;
  let bare: { url: string; close: () => Promise<void> } | undefined;
  const bareStore = createSqliteStore({ file: path.join(dir, 'bare.db') });
  try {
    const definition = await createStack(
      {
        council: COUNCIL,
        adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: sim.url, apiKey: '${env:EXAMPLE_WASTE_KEY}' } } },
        routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
      },
      { env: { EXAMPLE_WASTE_KEY: API_KEY } },
    );
    const keys = createMemoryKeyStore();
    const { key } = await createApiKey(keys, { council: COUNCIL, scopes: ['submit'] });
    // The worker is not started and nothing polls: the bench measures acceptance, and deliveries stay
    // pending on disk.
    service = await startService(definition, {
      store: createSqliteStore({ file: path.join(dir, 'gateway.db') }),
      keys,
      resolveFrom: repoRoot,
      start: false,
      polling: false,
      retention: false,
    });
    const gatewayUrl = new URL('/v1/transactions', service.url);
    const gatewayHeaders = { authorization: `Bearer ${key}` };

    await bareStore.migrate();
    bare = await startBare(bareStore);
    const bareUrl = new URL('/v1/transactions', bare.url);

    await round(agent, gatewayUrl, gatewayHeaders, bodies(warmup), concurrency);
    await round(agent, bareUrl, {}, bodies(warmup), concurrency);
    const viaGateway: number[] = [];
    const viaBare: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Bodies are built before the clock starts: only the server's work and the HTTP exchange count.
      viaGateway.push(await round(agent, gatewayUrl, gatewayHeaders, bodies(requests), concurrency));
      viaBare.push(await round(agent, bareUrl, {}, bodies(requests), concurrency));
    }
    const best = (xs: number[]) => Math.max(...xs);
    const list = (xs: number[]) => xs.map(n).join(', ');
    const ratio = best(viaGateway) / best(viaBare);
    // Each gateway round ran right before its bare round: their ratios show how much disk noise moved the best.
    const paired = viaGateway.map((g, i) => (g / viaBare[i]!).toFixed(2)).join(', ');
    return [
      `gateway POST /v1/transactions ${n(best(viaGateway)).padStart(7)} accepted/s (rounds: ${list(viaGateway)})`,
      `bare Fastify + same insert    ${n(best(viaBare)).padStart(7)} accepted/s (rounds: ${list(viaBare)})`,
      `${n(requests)} requests per round at concurrency ${concurrency}, best of ${rounds} alternating rounds after ${n(warmup)} warm-up each`,
      `ratio ${ratio.toFixed(2)} (gateway/bare, best of each; round by round ${paired}; aim: at least 0.80)`,
    ];
  } finally {
    agent.destroy();
    await service?.stop().catch(() => undefined);
    await bare?.close().catch(() => undefined);
    await bareStore.close().catch(() => undefined);
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchGateway()
    .then((rows) =>
      console.log(
        `bench/gateway: accepted submits per second over HTTP, LGX gateway vs a bare Fastify route doing the same durable SQLite insert (same run)\n\n${rows.join('\n')}`,
      ),
    )
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
