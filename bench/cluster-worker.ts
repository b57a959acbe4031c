/**
 * One worker process of bench/cluster: either an LGX stack's delivery worker on a PostgreSQL store,
 * or a pg-boss consumer on the same database, each POSTing to the same simulator with the same
 * concurrency. Prints `ready` once connected, starts work when a `go` line arrives on stdin, and
 * stops and exits when stdin closes.
 *
 * usage: cluster-worker.ts lgx <connection string> <schema> <simulator url> <concurrency> <per-target cap>
 *        cluster-worker.ts pgboss <connection string> <queue> <simulator url> <concurrency>
 */
import http from 'node:http';
import path from 'node:path';
import PgBoss from 'pg-boss';
import { createPostgresStore, createStack, openStack } from '@lgx/runtime';
import { API_KEY } from '@lgx/adapter-template/testing';

const repoRoot = path.resolve(__dirname, '..');

/** Resolves on the first `go` line on stdin; `onEnd` runs when stdin closes. */
function control(onEnd: () => Promise<void>): Promise<void> {
  process.stdin.setEncoding('utf8');
  process.stdin.on('end', () => {
    void onEnd().finally(() => process.exit(0));
  });
  return new Promise((resolve) => {
    let text = '';
    process.stdin.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('go\n')) resolve();
    });
  });
}

async function lgx(connectionString: string, schema: string, simUrl: string, concurrency: number, perTarget: number): Promise<void> {
  const definition = await createStack(
    {
      council: 'E07000223',
      adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: simUrl, apiKey: '${env:EXAMPLE_WASTE_KEY}' } } },
      routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    },
    { env: { EXAMPLE_WASTE_KEY: API_KEY } },
  );
  const stack = await openStack(definition, {
    store: createPostgresStore({ connectionString, schema, maxConnections: 10 }),
    resolveFrom: repoRoot,
    worker: { concurrency, perTarget },
    start: false,
    polling: false,
  });
  const go = control(() => stack.close());
  process.stdout.write('ready\n');
  await go;
  stack.start();
}

/** The request the adapter sends, POSTed as it is: what a hand-built pg-boss worker would send. */
function post(agent: http.Agent, url: URL, body: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-api-key': API_KEY,
          'idempotency-key': key,
        },
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

async function pgboss(connectionString: string, queue: string, simUrl: string, concurrency: number): Promise<void> {
  // No maintenance or cron in the workers: the parent created the queue; they only fetch and complete.
  const boss = new PgBoss({ connectionString, max: 10, supervise: false, schedule: false, migrate: false });
  boss.on('error', (error: unknown) => process.stderr.write(`pg-boss: ${String(error)}\n`));
  await boss.start();
  let stopping = false;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL('/v1/missed-collections', simUrl);
  const loops: Promise<void>[] = [];
  const go = control(async () => {
    stopping = true;
    await Promise.all(loops);
    await boss.stop({ graceful: false, wait: true });
  });
  process.stdout.write('ready\n');
  await go;
  // C loops, each one job at a time: fetch (SKIP LOCKED), POST, complete. A loop that finds the queue
  // empty waits 20 ms, rather than work()'s polling interval (0.5 s at least), which would cap pg-boss
  // at a job per half second per loop.
  for (let i = 0; i < concurrency; i++)
    loops.push(
      (async () => {
        while (!stopping) {
          const [job] = await boss.fetch<{ body: string; key: string }>(queue);
          if (!job) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            continue;
          }
          const status = await post(agent, url, job.data.body, job.data.key);
          if (status === 201) await boss.complete(queue, job.id);
          else await boss.fail(queue, job.id, { status });
        }
      })(),
    );
}

const [mode, connectionString, name, simUrl, concurrency, perTarget] = process.argv.slice(2);
const run =
  mode === 'lgx'
    ? lgx(connectionString!, name!, simUrl!, Number(concurrency), Number(perTarget))
    : pgboss(connectionString!, name!, simUrl!, Number(concurrency));
run.catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
