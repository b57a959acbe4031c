import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { postgresAvailability, startPostgresServer, type PostgresServer } from '@lgx/runtime/testing';
import { councilStackText, lgx, scratch, serveLgx, type Served } from './helpers';

/*
 * Three `lgx serve` processes (the built CLI) on one PostgreSQL, serving two councils from a folder of
 * stacks. Council A's back office is up; council B's is down until the end. 2,000 transactions go in
 * across the three nodes, and one node is killed with SIGKILL halfway through. Every accepted
 * transaction of A reaches A's back office exactly once (one case per idempotency key); B's wait in
 * the store and are delivered when its back office comes back. A key made on one node works on the
 * others within a second, and a revoked one stops on all of them.
 */

jest.setTimeout(240_000);

const A = 'E07000223';
const B = 'E08000025';
const TOTAL = 2000;
const CONCURRENCY = 16;
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;
const env = { EXAMPLE_WASTE_KEY: API_KEY };
const availability = postgresAvailability();

interface WasteState {
  cases: Map<string, unknown>;
  keys: Map<string, string>;
}
const stateOf = (sim: ExampleWasteSimulator) => (sim as unknown as { state: WasteState }).state;

let pg: PostgresServer;
let simA: ExampleWasteSimulator;
let simB: ExampleWasteSimulator;
let dir: string;
let folder: string;
const nodes: Served[] = [];

async function keys(args: string[]): Promise<string> {
  const ran = await lgx(['keys', ...args, '--database', pg.connectionString], { env: { EXAMPLE_WASTE_KEY: '' } });
  if (ran.code !== 0) throw new Error(`lgx keys ${args.join(' ')} failed: ${ran.stderr}`);
  return ran.stdout;
}

const createKey = async (council: string): Promise<string> =>
  (JSON.parse(await keys(['create', '--stack', folder, '--council', council, '--scopes', 'submit,read', '--json'])) as { key: string }).key;

async function status(node: Served, key: string): Promise<number> {
  const answer = await fetch(`${node.url}/v1/transactions?limit=1`, { headers: { authorization: `Bearer ${key}` } });
  await answer.arrayBuffer();
  return answer.status;
}

/** Milliseconds until every live node answers `key` with `expected`. */
async function untilEveryNode(key: string, expected: number): Promise<number> {
  const started = Date.now();
  for (const node of nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null))
    await waitFor(async () => (await status(node, key)) === expected, `${expected} from ${node.url}`, 10_000);
  return Date.now() - started;
}

const describeIf = availability.binaries ? describe : describe.skip;

describeIf('three lgx serve nodes on one PostgreSQL, two councils', () => {
  beforeAll(async () => {
    pg = await startPostgresServer(availability.binaries!);
    simA = await startExampleWasteSimulator();
    simB = await startExampleWasteSimulator();
    dir = scratch();
    folder = path.join(dir, 'councils');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'a.yaml'), councilStackText(A, simA.url));
    writeFileSync(path.join(folder, 'b.yaml'), councilStackText(B, simB.url));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    await simA?.close();
    await simB?.close();
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every accepted transaction of the healthy council exactly once through a SIGKILL, holds the other until its back office returns, and shares keys within a second', async () => {
    const keyA = await createKey(A);
    const keyB = await createKey(B);
    simB.faults.down();
    const data = path.join(dir, 'data');
    nodes.push(
      ...(await Promise.all(
        [1, 2, 3].map((n) => serveLgx([folder, '--database', pg.connectionString, '--data', `${data}-${n}`, '--poll', '60'], { env })),
      )),
    );

    // A key made through the CLI on the shared store works on every node within a second; revoked, it stops.
    const fresh = await createKey(A);
    expect(await untilEveryNode(fresh, 200)).toBeLessThan(1000);
    const id = /^lgx_([0-9a-f]{12})\./.exec(fresh)![1]!;
    await keys(['revoke', id]);
    expect(await untilEveryNode(fresh, 401)).toBeLessThan(1000);

    // 2,000 submissions across the nodes, half for each council; node 2 killed halfway.
    const accepted = { [A]: new Set<string>(), [B]: new Set<string>() };
    const unanswered = new Set<string>();
    let next = 0;
    let killed = false;
    const submitOne = async (i: number): Promise<void> => {
      const council = i % 2 === 0 ? A : B;
      const idempotencyKey = `cluster-${i}`;
      const envelope = createTransaction('waste.missedCollection', missed as never, { council, channel: 'web', idempotencyKey });
      const node = nodes[i % 3]!;
      try {
        const answer = await fetch(`${node.url}/v1/transactions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${council === A ? keyA : keyB}`, 'content-type': 'application/json' },
          body: JSON.stringify(envelope),
        });
        await answer.arrayBuffer();
        if (answer.status === 202 || answer.status === 200) accepted[council].add(idempotencyKey);
        else if (answer.status !== 503) throw new Error(`node ${(i % 3) + 1} answered ${answer.status}`);
      } catch (error) {
        // The killed node: refused, or cut off mid-request (committed or not: the client cannot tell).
        if (!(killed && i % 3 === 1)) throw error;
        unanswered.add(idempotencyKey);
      }
    };
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < TOTAL; i = next++) {
          if (i === TOTAL / 2 && !killed) {
            killed = true;
            nodes[1]!.child.kill('SIGKILL');
          }
          await submitOne(i);
        }
      }),
    );
    expect(killed).toBe(true);
    expect(accepted[A].size).toBeGreaterThan(TOTAL / 2 - TOTAL / 6 - CONCURRENCY);
    expect(accepted[B].size).toBeGreaterThan(TOTAL / 2 - TOTAL / 6 - CONCURRENCY);

    // Council A: each accepted transaction one case at its back office; no case for a key never sent.
    const a = stateOf(simA);
    await waitFor(() => [...accepted[A]].every((k) => a.keys.has(k)), "every accepted transaction at A's back office", 120_000);
    expect(a.cases.size).toBe(a.keys.size);
    for (const k of a.keys.keys()) expect(accepted[A].has(k) || unanswered.has(k)).toBe(true);
    // Council B's back office is still down: nothing reached it, and A was not held up by it.
    expect(stateOf(simB).keys.size).toBe(0);

    simB.faults.up();
    const b = stateOf(simB);
    await waitFor(
      () => [...accepted[B]].every((k) => b.keys.has(k)),
      "every accepted transaction at B's back office once it returned",
      150_000,
    );
    expect(b.cases.size).toBe(b.keys.size);
    for (const k of b.keys.keys()) expect(accepted[B].has(k) || unanswered.has(k)).toBe(true);
  });
});
