/**
 * Crash safety: a child process opens a stack and submits 60 transactions, and the parent kills it
 * with SIGKILL at random (seeded) points while deliveries are in flight, several times, restarting a
 * child that only delivers. Then a last child runs until everything is delivered. Every accepted
 * transaction must end delivered exactly once at the vendor: attempts cut off by a kill are retried
 * by the next child once their lease runs out, and the vendor's Idempotency-Key index turns a repeat
 * of a request it had already handled into the same case. The same run on each store: a SQLite file,
 * and a PostgreSQL schema on a throwaway server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPostgresStore, createSqliteStore, verifyAuditChain, type Store } from '../src';
import { startChild, type Child } from './helpers/child-process';
import { startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { seeded } from './helpers/seeded';
import { withPostgres } from './helpers/postgres-suite';

const N = 60;
const KILLS = 4;
/** The child's worker concurrency: at most this many attempts are cut off by each kill. */
const CHILD_CONCURRENCY = 4;
const script = path.join(__dirname, 'fixtures', 'crash-child.ts');

function startCrashChild(storeSpec: string, url: string, mode: 'submit' | 'deliver' | 'burst', count = N): Child {
  return startChild(script, [storeSpec, url, mode, String(count)]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where the children's store is: the spec they are given, and the same store opened here. */
interface CrashStore {
  spec: string;
  open(): Store;
}

function describeCrashSafety(name: string, crashStore: (dir: string) => CrashStore): void {
  describe(`crash safety (${name})`, () => {
    let sim: ExampleWasteSimulator;
    let dir: string;
    const children: Child[] = [];

    beforeAll(async () => {
      sim = await startExampleWasteSimulator();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-crash-'));
    });

    afterAll(async () => {
      // Never leave a child behind, whatever happened.
      for (const child of children) await child.kill();
      await sim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('loses nothing and duplicates nothing at the vendor when the process is killed during delivery', async () => {
      const started = Date.now();
      const random = seeded(20261123);
      const where = crashStore(dir);
      // Latency keeps deliveries in flight, so kills land between the vendor acting and the store recording it.
      sim.faults.latency(120);
      const accepted = new Set<string>();
      let failedAttempts = 0;
      const counts = { killedWithDeliveredInRun: [] as number[] };

      // 1. Submit N, then kill at a random point once deliveries are under way.
      const first = startCrashChild(where.spec, sim.url, 'submit');
      children.push(first);
      await first.waitForLine((lines) => lines.filter((l) => l.startsWith('accepted ')).length === N, `${N} accepted transactions`);
      for (const line of first.lines) if (line.startsWith('accepted ')) accepted.add(line.slice('accepted '.length));
      await sleep(50 + random() * 300);
      await first.kill();
      expect(first.process.signalCode).toBe('SIGKILL');
      counts.killedWithDeliveredInRun.push(first.lines.filter((l) => l.startsWith('delivered ')).length);

      // 2. Restart children that only deliver, and kill each at a random point too.
      for (let k = 1; k < KILLS; k++) {
        const child = startCrashChild(where.spec, sim.url, 'deliver');
        children.push(child);
        await child.waitForLine((lines) => lines.includes('ready'), 'the stack to open');
        await sleep(100 + random() * 400);
        await child.kill();
        expect(child.process.signalCode).toBe('SIGKILL');
        counts.killedWithDeliveredInRun.push(child.lines.filter((l) => l.startsWith('delivered ')).length);
      }

      // 3. A last child runs until every accepted transaction is delivered.
      const last = startCrashChild(where.spec, sim.url, 'deliver');
      children.push(last);
      const store: Store = where.open();
      try {
        await store.migrate();
        const allDelivered = async () => {
          for (const id of accepted) {
            const deliveries = await store.listDeliveries(id);
            if (deliveries.length === 0 || deliveries.some((d) => d.state !== 'delivered')) return false;
          }
          return true;
        };
        const until = Date.now() + 25_000;
        while (!(await allDelivered())) {
          if (Date.now() > until) throw new Error(`not all delivered in time; last child stderr: ${last.stderr()}`);
          if (last.process.exitCode !== null) throw new Error(`the last child exited: ${last.stderr()}`);
          await sleep(50);
        }
        await last.kill();

        // Nothing lost: every accepted id is stored and delivered, to the case the vendor holds for its key.
        expect(accepted.size).toBe(N);
        for (const id of accepted) {
          const transaction = await store.getTransaction(id);
          expect(transaction).toBeDefined();
          const [delivery, ...others] = await store.listDeliveries(id);
          expect(others).toEqual([]);
          expect(delivery).toMatchObject({ state: 'delivered' });
          expect(delivery!.receipt?.externalRef).toBe(sim.state.keys.get(transaction!.idempotencyKey));
          const log = await store.listAttempts(delivery!.id);
          expect(log.at(-1)).toMatchObject({ outcome: 'delivered' });
          failedAttempts += log.filter((a) => a.outcome === 'failed').length;
        }
        // Nothing duplicated: one vendor case per transaction, however often a request was repeated.
        expect(sim.state.cases.size).toBe(N);
        expect(new Set([...sim.state.keys.values()]).size).toBe(N);
        // Bounded: each kill cuts off at most the child's in-flight attempts, each repeated once; any other
        // extra request is a failed attempt on record (an attempt deadline on a loaded machine).
        const posts = sim.requests.filter((r) => r.method === 'POST').length;
        expect(posts).toBeGreaterThanOrEqual(N);
        expect(posts).toBeLessThanOrEqual(N + KILLS * CHILD_CONCURRENCY + failedAttempts);
        expect(verifyAuditChain(await store.listAudit('E07000223'))).toEqual({ ok: true });
        // The reporting rollups, written in the same commits, counted each transaction and delivery once.
        const totals = async () => {
          const all = { council: 'E07000223', fromDay: '2000-01-01', toDay: '2100-01-01', groupBy: [], filters: [], rows: 'all' } as const;
          // Summed over days: a run may cross midnight.
          const sum = <K extends string>(rows: ReadonlyArray<Record<K, number>>, key: K) => rows.reduce((n, r) => n + r[key], 0);
          const rows = await store.readRollups(all);
          const timed = sum(await store.readDeliverySeconds(all), 'count');
          return {
            received: sum(rows, 'received'),
            completed: sum(rows, 'completed'),
            delivered: sum(rows, 'delivered'),
            queued: sum(rows, 'queued'),
            dead: sum(rows, 'dead'),
            timed,
          };
        };
        const counted = await totals();
        expect(counted).toEqual({ received: N, completed: N, delivered: N, queued: 0, dead: 0, timed: N });
        await store.rebuildRollups({ actor: 'test', now: new Date() });
        expect(await totals()).toEqual(counted);
        expect(Date.now() - started).toBeLessThan(60_000);
        console.log(
          `crash test: ${N} accepted, ${KILLS} SIGKILLs (deliveries recorded per killed child: ${counts.killedWithDeliveredInRun.join(', ')}), ` +
            `${posts} vendor POSTs (${posts - N} repeats answered from the Idempotency-Key index), ${sim.state.cases.size} vendor cases, ${Date.now() - started} ms`,
        );
      } finally {
        await store.close();
        await last.kill();
      }
    }, 60_000);
  });
}

// Group commit: accepts, results and leases that arrive together share one SQLite commit.
describe('crash safety (sqlite, shared commits)', () => {
  let sim: ExampleWasteSimulator;
  let dir: string;
  const children: Child[] = [];

  beforeAll(async () => {
    sim = await startExampleWasteSimulator();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-crash-'));
  });

  afterAll(async () => {
    for (const child of children) await child.kill();
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing and counts nothing twice when killed while 16 submits and their deliveries share commits', async () => {
    const BURST = 600;
    const file = path.join(dir, 'burst.db');
    sim.reset();
    sim.faults.latency(0);
    // 1. Sixteen submits at a time with the worker delivering: accepts, results and leases arrive in
    //    the same turns and share commits. Killed once a run of them is acknowledged, mid-stream.
    const child = startCrashChild(file, sim.url, 'burst', BURST);
    children.push(child);
    await child.waitForLine((lines) => lines.filter((l) => l.startsWith('accepted ')).length >= 80, '80 accepted transactions');
    await child.kill();
    expect(child.process.signalCode).toBe('SIGKILL');
    const accepted = new Set(child.lines.filter((l) => l.startsWith('accepted ')).map((l) => l.slice('accepted '.length)));
    expect(accepted.size).toBeLessThan(BURST);

    const store: Store = createSqliteStore({ file });
    try {
      await store.migrate();
      // 2. Every acknowledged submit is stored; each stored one is whole: its delivery and its one
      //    acceptance entry, from the same commit, whatever else that commit held.
      const stored = await store.listTransactions({ council: 'E07000223', limit: BURST + 1 });
      const storedIds = new Set(stored.map((t) => t.id));
      for (const id of accepted) expect(storedIds.has(id)).toBe(true);
      expect(new Set(stored.map((t) => t.idempotencyKey)).size).toBe(stored.length);
      for (const t of stored) {
        expect(await store.listDeliveries(t.id)).toHaveLength(1);
        const entries = await store.listAudit('E07000223', { transactionId: t.id });
        expect(entries.filter((e) => e.action === 'transaction.accepted')).toHaveLength(1);
      }
      expect(verifyAuditChain(await store.listAudit('E07000223'))).toEqual({ ok: true });
      const all = { council: 'E07000223', fromDay: '2000-01-01', toDay: '2100-01-01', groupBy: [], filters: [], rows: 'all' } as const;
      const received = async () => (await store.readRollups(all)).reduce((n, r) => n + r.received, 0);
      expect(await received()).toBe(stored.length);

      // 3. A new process delivers what was stored, each once at the vendor.
      const last = startCrashChild(file, sim.url, 'deliver');
      children.push(last);
      const until = Date.now() + 25_000;
      for (;;) {
        const states = await Promise.all(stored.map(async (t) => (await store.listDeliveries(t.id))[0]!.state));
        if (states.every((state) => state === 'delivered')) break;
        if (Date.now() > until) throw new Error(`not all delivered in time; last child stderr: ${last.stderr()}`);
        await sleep(100);
      }
      await last.kill();
      expect(sim.state.cases.size).toBe(stored.length);
      expect(await received()).toBe(stored.length);
      expect(verifyAuditChain(await store.listAudit('E07000223'))).toEqual({ ok: true });
    } finally {
      await store.close();
    }
  }, 60_000);
});

describeCrashSafety('sqlite', (dir) => {
  const file = path.join(dir, 'lgx.db');
  return { spec: file, open: () => createSqliteStore({ file }) };
});

withPostgres((connection) => {
  describeCrashSafety('postgres', () => {
    const schema = `crash_${Date.now().toString(36)}`;
    return { spec: `pg:${schema}:${connection()}`, open: () => createPostgresStore({ connectionString: connection(), schema }) };
  });
});
