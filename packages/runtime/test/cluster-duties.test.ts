import path from 'node:path';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { createPostgresStore, createStack, openStack, startRetention, type RetentionJob, type RunningStack, type Store } from '../src';
import { postgresAvailability, startPostgresServer, type PostgresServer } from './helpers/postgres-server';

/*
 * Two nodes on one PostgreSQL database, each with its own connection pool, each running a stack with
 * status polling and retention as startService does: a back office's change feed is polled by one of
 * them, retention runs in one of them, and when that node stops the other takes over.
 */

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const availability = postgresAvailability();
const POLL_MS = 100;

/** What one node did: its change-feed polls (each reads the poll cursor first) and retention runs. */
interface Node {
  service: { stop(): Promise<void> };
  polls: number;
  purges: number;
}

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function describeCluster(): void {
  let server: PostgresServer | undefined;
  let sim: ExampleWasteSimulator;
  const nodes: Node[] = [];
  beforeAll(async () => {
    if (!availability.binaries) return;
    server = await startPostgresServer(availability.binaries);
    sim = await startExampleWasteSimulator();
  }, 120_000);
  afterAll(async () => {
    for (const node of nodes) await node.service.stop().catch(() => undefined);
    await sim?.close();
    await server?.stop();
  }, 60_000);

  async function startNode(schema: string): Promise<Node> {
    const definition = await createStack(
      {
        council: 'E07000223',
        adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: sim.url, apiKey: '${env:EXAMPLE_WASTE_KEY}' } } },
        routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
      },
      { env: { EXAMPLE_WASTE_KEY: API_KEY } },
    );
    const node = { polls: 0, purges: 0 } as Node;
    // The node's own pool on the shared schema, counting what it does.
    const counted = (): Store => {
      const store = createPostgresStore({ connectionString: server!.connectionString, schema, maxConnections: 4 });
      return {
        ...store,
        getCursor: (name) => {
          if (name === 'poll:waste') node.polls += 1;
          return store.getCursor(name);
        },
        purgePayloads: (before) => {
          node.purges += 1;
          return store.purgePayloads(before);
        },
      };
    };
    const store = counted();
    const stack: RunningStack = await openStack(definition, {
      store,
      resolveFrom: repoRoot,
      polling: { intervalMs: POLL_MS, timeoutMs: 500 },
    });
    const retention: RetentionJob = startRetention({ store, days: 90, intervalMs: POLL_MS });
    // In startService's order: retention stops, then the stack (its polling, worker and store).
    node.service = {
      async stop() {
        await retention.stop();
        await stack.close();
      },
    };
    nodes.push(node);
    return node;
  }

  it('polls each change feed and runs retention in one node at a time, and hands both over when that node stops', async () => {
    const schema = `duties_${Date.now()}`;
    const a = await startNode(schema);
    const b = await startNode(schema);
    const changes = () => sim.requests.filter((r) => r.path === '/v1/changes').length;
    await waitFor(() => a.polls + b.polls >= 5 && a.purges + b.purges >= 5, 'a few rounds of polling and retention');
    const before = changes();
    await sleep(10 * POLL_MS);
    // Each node rounds every 100 ms; together they would poll about 20 times in 1 s, one node about 10.
    expect(changes() - before).toBeLessThanOrEqual(14);
    // One node does each duty; the other never reads the poll cursor or purges.
    const [poller, idlePoller] = a.polls > 0 ? [a, b] : [b, a];
    expect(idlePoller.polls).toBe(0);
    expect(Math.min(a.purges, b.purges)).toBe(0);
    const [purger, idlePurger] = a.purges > 0 ? [a, b] : [b, a];

    // The poller stops: the other node polls within a few of its rounds.
    await poller.service.stop();
    await waitFor(() => idlePoller.polls > 0, 'the other node to take over polling', 20 * POLL_MS);
    if (purger === poller) await waitFor(() => idlePurger.purges > 0, 'the other node to take over retention', 20 * POLL_MS);
  }, 60_000);
}

if (availability.binaries) describe('two services on one PostgreSQL', describeCluster);
else
  describe.skip(`two services on one PostgreSQL (${availability.reason})`, () => {
    it('skipped', () => undefined);
  });
