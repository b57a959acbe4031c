import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransaction } from '@lgx/core';
import { createSqliteStore } from '../src/store/sqlite-store';
import { describeStoreConformance } from '../src/store/store-conformance';
import { verifyAuditChain } from '../src/store/audit-chain';
import type { NewTransaction, Store } from '../src/store/store-types';

const dir = mkdtempSync(join(tmpdir(), 'lgx-sqlite-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(file: string): Promise<Store> {
  const store = createSqliteStore({ file });
  await store.migrate();
  return store;
}

function pothole(target = 'confirm', now = new Date()): NewTransaction {
  const envelope = createTransaction('street.report', { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } }, { council: 'E07000223', channel: 'web' });
  return { envelope, deliveries: [{ id: randomUUID(), target, mode: 'one', order: 0, state: 'pending' }], audit: { actor: 'key-test', action: 'transaction.accepted' }, now };
}

const sharedFile = join(dir, 'conformance.db');
describeStoreConformance('sqlite', () => open(sharedFile));

describe('SQLite store', () => {
  it('keeps transactions, deliveries and the audit chain across close and reopen, and migrates again safely', async () => {
    const file = join(dir, `reopen-${randomUUID()}.db`);
    const first = await open(file);
    const input = pothole();
    const { id } = await first.insertTransaction(input);
    await first.close();

    const second = await open(file);
    try {
      expect((await second.getTransaction(id))?.envelope).toEqual(input.envelope);
      expect((await second.listDeliveries(id)).map((d) => d.state)).toEqual(['pending']);
      const audit = await second.listAudit('E07000223');
      expect(audit.map((e) => e.action)).toEqual(['transaction.accepted']);
      expect(verifyAuditChain(audit)).toEqual({ ok: true });
      expect(await second.insertTransaction({ ...pothole(), envelope: { ...input.envelope, id: randomUUID() } })).toEqual({ id, duplicate: true });
    } finally {
      await second.close();
    }
  });

  it('never leases the same delivery through two connections to one file', async () => {
    const file = join(dir, `two-connections-${randomUUID()}.db`);
    const a = await open(file);
    const b = await open(file);
    try {
      for (let i = 0; i < 40; i += 1) await (i % 2 === 0 ? a : b).insertTransaction(pothole());
      const now = new Date();
      const rounds = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).leaseDeliveries({ owner: `worker-${i}`, limit: 7, leaseMs: 30_000, now })),
      );
      const ids = rounds.flat().map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(40);
      // A lease taken through one connection is seen by the other.
      expect(await b.leaseDeliveries({ owner: 'late', limit: 100, leaseMs: 30_000, now })).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('picks up a crashed worker’s lease once it expires', async () => {
    const file = join(dir, `crash-lease-${randomUUID()}.db`);
    const crashed = await open(file);
    const now = new Date('2026-03-02T09:00:00.000Z');
    await crashed.insertTransaction(pothole('confirm', now));
    const [lost] = await crashed.leaseDeliveries({ owner: 'worker-crashed', limit: 1, leaseMs: 30_000, now });
    await crashed.close();
    const survivor = await open(file);
    try {
      expect(await survivor.leaseDeliveries({ owner: 'worker-2', limit: 1, leaseMs: 30_000, now: new Date(now.getTime() + 29_000) })).toEqual([]);
      const [again] = await survivor.leaseDeliveries({ owner: 'worker-2', limit: 1, leaseMs: 30_000, now: new Date(now.getTime() + 30_001) });
      expect(again?.id).toBe(lost?.id);
    } finally {
      await survivor.close();
    }
  });

  it('has a transaction on disk once insertTransaction resolves, even if the process is then killed', async () => {
    const file = join(dir, `kill-${randomUUID()}.db`);
    const script = join(__dirname, 'fixtures', 'insert-then-wait.ts');
    // tsx as a loader in this one process (not the tsx CLI, which runs the script in a grandchild
    // that SIGKILL on the CLI would leave running).
    const child = spawn(process.execPath, ['--import', 'tsx', script, file], { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let id: string;
    try {
      id = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /inserted (\S+)\n/.exec(stdout);
          if (match?.[1] !== undefined) {
            child.kill('SIGKILL');
            resolve(match[1]);
          }
        });
        child.on('exit', (code, signal) => {
          if (signal !== 'SIGKILL') reject(new Error(`child exited (${String(code)}) before inserting: ${stderr}`));
        });
      });
    } finally {
      // Never leave the child behind, whatever happened.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
    expect(child.signalCode).toBe('SIGKILL');

    const store = await open(file);
    try {
      const stored = await store.getTransaction(id);
      expect(stored?.council).toBe('E07000223');
      expect((await store.listDeliveries(id)).map((d) => d.target)).toEqual(['confirm']);
      expect(verifyAuditChain(await store.listAudit('E07000223'))).toEqual({ ok: true });
    } finally {
      await store.close();
    }
  }, 60_000);
});
