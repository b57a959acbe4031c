/**
 * Recovery after SIGKILL, with real processes: a worker process holds leases on every slot of a
 * target (the back office never answers its two attempts), and is killed. A new process on the same
 * store delivers a new transaction to that target at once, long before the dead process's leases
 * (2 minutes) would have run out: it sees the dead process is gone and ends its leases. The two cut-off
 * attempts are on record with an unknown outcome, audited as re-sent, and delivered by the new process.
 * On SQLite and, where it is installed, on PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPostgresStore, createSqliteStore, verifyAuditChain, type Store } from '../src';
import { startChild, type Child } from './helpers/child-process';
import { postgresAvailability, startPostgresServer, type PostgresServer } from './helpers/postgres-server';
import { startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { waitFor } from '@lgx/testkit';

const LEASE_MS = 120_000;
const script = path.join(__dirname, 'fixtures', 'worker-child.ts');
const availability = postgresAvailability();

function accepted(child: Child, key: string): string {
  const line = child.lines.find((l) => l.startsWith(`accepted ${key} `));
  if (!line) throw new Error(`no 'accepted ${key}' line`);
  return line.split(' ')[2]!;
}

describe.each([
  ['SQLite', 'sqlite'],
  ['PostgreSQL', 'postgres'],
] as const)('recovery after SIGKILL on %s', (_name, kind) => {
  const skip = kind === 'postgres' && !availability.binaries;
  let sim: ExampleWasteSimulator;
  let dir: string;
  let server: PostgresServer | undefined;
  let spec: string;
  let store: Store;
  const children: Child[] = [];

  beforeAll(async () => {
    if (skip) return;
    sim = await startExampleWasteSimulator();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-recovery-'));
    if (kind === 'postgres') {
      server = await startPostgresServer(availability.binaries!);
      spec = `postgres:${server.connectionString}#recovery`;
      store = createPostgresStore({ connectionString: server.connectionString, schema: 'recovery' });
    } else {
      spec = `sqlite:${path.join(dir, 'lgx.db')}`;
      store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
    }
    await store.migrate();
  }, 120_000);

  afterAll(async () => {
    if (skip) return;
    for (const child of children) await child.kill();
    await store.close();
    await sim.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  (skip ? it.skip : it)(
    'delivers a new transaction to the same target at once, and re-sends the cut-off attempts as unknown ones',
    async () => {
      // The back office takes the first two requests and never answers them.
      sim.faults.failNext(2, { timeout: true });
      const first = startChild(script, [spec, sim.url, String(LEASE_MS)]);
      children.push(first);
      await first.waitForLine((lines) => lines.includes('ready'), 'the first process to open its stack', 60_000);
      first.process.stdin.write('submit held-1\nsubmit held-2\n');
      await first.waitForLine((lines) => lines.filter((l) => l.startsWith('accepted ')).length === 2, 'two accepted');
      await waitFor(() => sim.requests.filter((r) => r.method === 'POST').length === 2, 'both attempts at the back office', 30_000);
      const held = [accepted(first, 'held-1'), accepted(first, 'held-2')];
      const leases = await Promise.all(held.map(async (id) => (await store.listDeliveries(id))[0]!));
      expect(leases.map((d) => d.leaseOwner !== undefined)).toEqual([true, true]);
      const deadLeasesEnd = Math.min(...leases.map((d) => Date.parse(d.leaseExpiresAt!)));

      await first.kill();
      expect(first.process.signalCode).toBe('SIGKILL');

      const second = startChild(script, [spec, sim.url, String(LEASE_MS)]);
      children.push(second);
      await second.waitForLine((lines) => lines.includes('ready'), 'the second process to open its stack', 60_000);
      second.process.stdin.write('submit fresh\n');
      await second.waitForLine((lines) => lines.some((l) => l.startsWith('accepted fresh ')), 'the new transaction accepted');
      const fresh = accepted(second, 'fresh');
      await second.waitForLine((lines) => [fresh, ...held].every((id) => lines.includes(`delivered ${id}`)), 'all three delivered', 60_000);

      // Delivered before the dead process's leases would have run out.
      const [delivery] = await store.listDeliveries(fresh);
      const attempts = await store.listAttempts(delivery!.id);
      expect(attempts.map((a) => a.outcome)).toEqual(['delivered']);
      expect(Date.parse(attempts[0]!.finishedAt)).toBeLessThan(deadLeasesEnd);

      // Each cut-off attempt is on record with an unknown outcome, and audited as re-sent.
      for (const id of held) {
        const [d] = await store.listDeliveries(id);
        expect([d!.state, d!.attempts]).toEqual(['delivered', 2]);
        expect((await store.listAttempts(d!.id)).map((a) => a.outcome)).toEqual(['unknown', 'delivered']);
        const audit = await store.listAudit('E07000223', { transactionId: id });
        expect(audit.map((e) => e.action)).toEqual(['transaction.accepted', 'delivery.resent', 'delivery.delivered']);
      }
      // The back office holds one case per transaction (the two lost requests created none).
      expect(sim.state.cases.size).toBe(3);
      expect(verifyAuditChain(await store.listAudit('E07000223'))).toEqual({ ok: true });
      // The dead worker is forgotten; only the live one is registered.
      expect((await store.listWorkers()).map((w) => w.pid)).toEqual([second.process.pid]);
    },
    120_000,
  );
});
