import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTransaction, type Envelope } from '@lgx/core';
import {
  createPostgresStore,
  createSqliteStore,
  createStack,
  openStack,
  openSubjectRequests,
  parseSubjectSelector,
  personalDataEraser,
  verifyAuditChain,
  type RunningStack,
  type Store,
} from '../src/index';
import { closedUrl, installRecordsAdapter, startRecords } from './helpers/records-back-office';
import { filesIn, foundIn } from './helpers/raw-scan';
import { findPostgresBinaries, startPostgresServer, type PostgresServer } from './helpers/postgres-server';

jest.setTimeout(120_000);

const COUNCIL = 'E07000223';
const KEK = randomBytes(32).toString('base64');

/** The subject whose data is found, exported and erased: values no other test uses. */
const A = {
  givenName: 'Ottoline',
  familyName: 'Brackenbury-Vance',
  email: 'ottoline.bv@example.org',
  phone: '07700 900461',
  contactNote: 'Rang Ottoline Brackenbury-Vance back about the duplicate',
  reportNote: 'Filled the pothole Ottoline reported on Marrowbone Wynd',
};
/** Another citizen, whose data must be left as it was. */
const B = { givenName: 'Peregrine', familyName: 'Whitlock', email: 'peregrine.w@example.net' };

const options = (key: string) => ({ council: COUNCIL, idempotencyKey: key, source: '/test/subjects', channel: 'web' as const });
const pothole = (person: { givenName: string; familyName: string; email: string }, key: string): Envelope =>
  createTransaction(
    'street.report',
    { kind: 'pothole', description: 'Deep pothole by the kerb', location: { usrn: '8400709' }, requester: { person } },
    options(key),
  );
const missed = (person: { givenName: string; familyName: string; email: string }, key: string): Envelope =>
  createTransaction(
    'waste.missedCollection',
    { uprn: '100090215480', service: 'recycling', scheduledDate: '2026-11-17', residentReport: 'not_emptied', requester: { person } },
    options(key),
  );

function transactions() {
  return {
    aContact: createTransaction(
      'crm.contact',
      {
        accountRef: 'acct-1',
        person: { givenName: A.givenName, familyName: A.familyName, email: A.email, phone: A.phone },
        preferredContactMethod: 'email',
      },
      options('a-contact'),
    ),
    aMissed: missed({ givenName: A.givenName, familyName: A.familyName, email: A.email }, 'a-missed'),
    aReport: pothole({ givenName: A.givenName, familyName: A.familyName, email: A.email }, 'a-report'),
    bReport: pothole(B, 'b-report'),
    bMissed: missed(B, 'b-missed'),
  };
}

let root: string;
beforeAll(() => {
  root = installRecordsAdapter(__dirname, '.tmp-subjects-');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function openSubjectStack(store: Store, recordsUrl: string, offlineUrl: string): Promise<RunningStack> {
  const definition = await createStack(
    {
      council: COUNCIL,
      adapters: {
        records: { package: '@acme/lgx-adapter-records', config: { url: recordsUrl } },
        offline: { package: '@acme/lgx-adapter-records', config: { url: offlineUrl } },
      },
      routes: [
        { match: { type: 'crm.contact' }, mode: 'one', targets: ['records'] },
        { match: { type: 'street.report' }, mode: 'one', targets: ['records'] },
        { match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['offline'] },
      ],
      encryption: { key: '${env:LGX_KEK}' },
    },
    { env: { LGX_KEK: KEK } },
  );
  return openStack(definition, {
    store,
    resolveFrom: root,
    polling: false,
    worker: { pollIntervalMs: 20, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 10 } },
  });
}

/** Submits everything and waits until contacts are dead letters, reports delivered and missed collections queued after a failed attempt. */
async function exercise(stack: RunningStack, all: Envelope[]): Promise<void> {
  for (const envelope of all) await stack.submit(envelope);
  const want: Record<string, (ds: Array<{ state: string; attempts: number }>) => boolean> = {
    'crm.contact': (ds) => ds.every((d) => d.state === 'dead'),
    'street.report': (ds) => ds.every((d) => d.state === 'delivered'),
    'waste.missedCollection': (ds) => ds.every((d) => d.state === 'pending' && d.attempts > 0),
  };
  for (let i = 0; i < 400; i += 1) {
    const views = await Promise.all(all.map((e) => stack.get(e.id)));
    if (views.every((v, n) => v !== undefined && want[all[n]!.type]!(v.deliveries))) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the transactions did not reach their states');
}

/** Every sealed string (lgx:enc:v1:...) inside a value. */
function sealedIn(value: unknown): string[] {
  return JSON.stringify(value ?? null).match(/lgx:enc:v1:[A-Za-z0-9_:-]+/g) ?? [];
}

const ALL = {
  council: COUNCIL,
  fromDay: '2000-01-01',
  toDay: '2100-01-01',
  groupBy: ['service'],
  filters: [],
  rows: 'transaction',
} as const;

/**
 * The scenario of a subject request on one store: found, exported, erased (the first transaction by a
 * run that stopped after it, the rest by a second run), with everything a user would check afterwards.
 * Returns the sealed strings that held the subject's values and the other subject's, for raw scans.
 */
async function subjectScenario(store: Store): Promise<{ erasedSealed: string[]; keptSealed: string[] }> {
  const records = await startRecords();
  const stack = await openSubjectStack(store, records.url, await closedUrl());
  const tx = transactions();
  try {
    await exercise(stack, Object.values(tx));
    for (const [target, t, text, ref] of [
      ['records', tx.aContact, A.contactNote, 'C-1'],
      ['records', tx.aReport, A.reportNote, 'R-1'],
      ['records', tx.bReport, 'Filled', 'R-2'],
    ] as const)
      await stack.recordStatusUpdate({
        target,
        update: { externalRef: ref, transactionId: t.id, status: 'in_progress', description: text, updatedAt: new Date().toISOString() },
      });
    const aIds = [tx.aContact.id, tx.aMissed.id, tx.aReport.id];
    const bIds = [tx.bReport.id, tx.bMissed.id];
    const sealedOf = async (ids: string[]) =>
      (
        await Promise.all(
          ids.map(async (id) => [...sealedIn((await store.getTransaction(id))?.envelope), ...sealedIn(await store.listStatusUpdates(id))]),
        )
      ).flat();
    const erasedSealed = await sealedOf(aIds);
    const keptSealed = await sealedOf(bIds);
    expect(erasedSealed.length).toBeGreaterThan(6);
    const rollupsBefore = await store.readRollups(ALL);

    const requests = await openSubjectRequests({ store, council: COUNCIL, encryptionKey: KEK });
    // Found by email in any case, by phone in another spelling; the other subject's transactions are not.
    const found = await requests.find({ email: '  Ottoline.BV@Example.org ' });
    expect(found.map((m) => [m.id, m.type, m.state])).toEqual(
      expect.arrayContaining([
        [tx.aContact.id, 'crm.contact', 'dead'],
        [tx.aMissed.id, 'waste.missedCollection', 'pending'],
        [tx.aReport.id, 'street.report', 'delivered'],
      ]),
    );
    expect(found).toHaveLength(3);
    expect((await requests.find({ phone: '+44 (0)7700 900461' })).map((m) => m.id)).toEqual([tx.aContact.id]);
    expect((await requests.find({ name: 'ottoline  brackenbury-vance' })).map((m) => m.id).sort()).toEqual([...aIds].sort());

    // Exported opened: the data, the dead letter, the failed attempts, the status notes and the audit.
    const exported = await requests.export({ email: A.email }, { actor: 'staff-42', via: 'cli' });
    const text = JSON.stringify(exported);
    for (const value of [A.email, A.phone, A.familyName, A.contactNote, A.reportNote]) expect(text).toContain(value);
    expect(text).not.toContain(B.email);
    const contact = exported.transactions.find((v) => v.transaction.id === tx.aContact.id)!;
    expect(contact.deliveries[0]?.state).toBe('dead');
    const queued = exported.transactions.find((v) => v.transaction.id === tx.aMissed.id)!;
    expect(queued.deliveries[0]?.attemptLog.some((a) => a.outcome === 'failed')).toBe(true);
    expect(exported.audit.map((a) => a.action)).toEqual(expect.arrayContaining(['transaction.accepted', 'delivery.dead']));
    const reads = (await store.listAudit(COUNCIL)).filter((e) => e.action === 'personal-data.read');
    expect(reads.at(-1)).toMatchObject({ actor: 'staff-42', details: { via: 'cli', transactionIds: expect.arrayContaining(aIds) } });

    // Nothing changes without the confirmation.
    await expect(requests.erase({ email: A.email }, { actor: 'staff-42', via: 'cli', confirmed: false })).rejects.toMatchObject({
      code: 'LGX_ERR_SUBJECT_CONFIRM',
    });
    expect(await requests.find({ email: A.email })).toHaveLength(3);
    // A first run that stopped after one transaction (as a crash between transactions leaves it)...
    await store.eraseTransaction({ transactionId: tx.aContact.id, actor: 'staff-42', erase: personalDataEraser, now: new Date() });
    expect((await requests.find({ email: A.email })).map((m) => m.id).sort()).toEqual([tx.aMissed.id, tx.aReport.id].sort());
    // ...and the run again finishes it.
    // Through the running stack, so the back offices that declare erase are asked too.
    const erased = await (await stack.subjectRequests()).erase({ email: A.email }, { actor: 'staff-42', via: 'cli', confirmed: true });
    const reportRef = (await stack.get(tx.aReport.id))!.deliveries[0]!.receipt!.externalRef;
    expect(erased.forwarded).toEqual([{ transactionId: tx.aReport.id, target: 'records', status: 'erased' }]);
    expect(records.erased).toEqual([reportRef]);
    expect(erased.transactions.map((t) => t.transactionId).sort()).toEqual([tx.aMissed.id, tx.aReport.id].sort());
    expect(erased.transactions.find((t) => t.transactionId === tx.aMissed.id)?.deadLettered).toHaveLength(1);
    // Idempotent: nothing is left to find or erase.
    expect(await requests.find({ email: A.email })).toEqual([]);
    expect((await requests.erase({ email: A.email }, { actor: 'staff-42', via: 'cli', confirmed: true })).transactions).toEqual([]);

    // The erased transactions read back with the marker; the queued one is a dead letter, never sent.
    for (const id of aIds) {
      const view = await stack.get(id, { personalData: true });
      const shown = JSON.stringify(view);
      for (const value of [A.givenName, A.email, A.familyName, A.contactNote, A.reportNote]) expect(shown).not.toContain(value);
      expect(shown).toContain('[ERASED]');
    }
    const missedView = await stack.get(tx.aMissed.id, { personalData: true });
    expect(missedView?.deliveries[0]).toMatchObject({ state: 'dead', lastError: { classification: 'erased' } });
    // An erased transaction's dead letter is never sent again: a replay is refused and changes nothing.
    await expect(stack.dlq.replay(missedView!.deliveries[0]!.id, { actor: 'staff-42', reason: 'try again' })).rejects.toMatchObject({
      code: 'LGX_ERR_SUBJECT_ERASED',
    });
    expect((await stack.get(tx.aMissed.id))?.deliveries[0]?.state).toBe('dead');
    expect(records.received.some((r) => r.id === tx.aMissed.id)).toBe(false);
    // The other subject's data is untouched and still opens.
    expect((await stack.get(tx.bReport.id, { personalData: true }))?.transaction.envelope?.data).toEqual(tx.bReport.data);
    expect((await stack.get(tx.bMissed.id, { personalData: true }))?.deliveries[0]?.state).toBe('pending');
    expect((await requests.find({ email: B.email })).map((m) => m.id).sort()).toEqual([...bIds].sort());

    // The chain verifies, records each erasure with its actor and ids (no values), and the reports count the same.
    const chain = await store.listAudit(COUNCIL);
    expect(verifyAuditChain(chain)).toEqual({ ok: true });
    const erasures = chain.filter((e) => e.action === 'subject.erased');
    expect(chain.filter((e) => e.action === 'subject.erase.forwarded')).toEqual([
      expect.objectContaining({ actor: 'staff-42', transactionId: tx.aReport.id, details: { target: 'records', status: 'erased' } }),
    ]);
    expect(erasures.map((e) => e.transactionId).sort()).toEqual([...aIds].sort());
    expect(erasures.every((e) => e.actor === 'staff-42')).toBe(true);
    for (const value of [A.email, A.givenName, A.familyName]) expect(JSON.stringify(chain)).not.toContain(value);
    expect(await store.readRollups(ALL)).toEqual(rollupsBefore);
    return { erasedSealed, keptSealed };
  } finally {
    await stack.close();
    await records.close();
  }
}

const plainValues = [A.email, A.familyName, A.contactNote, A.reportNote, 'Brackenbury'];

describe('subject requests (SQLite)', () => {
  it('finds, exports and erases a subject; the file and its WAL keep none of their values, sealed or not', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'db-'));
    const file = path.join(dir, 'lgx.db');
    const { erasedSealed, keptSealed } = await subjectScenario(createSqliteStore({ file }));
    const files = filesIn(dir);
    expect(foundIn(files, plainValues)).toEqual([]);
    // Not even the ciphertexts that held them: the freed space was zeroed and the WAL emptied.
    expect(foundIn(files, erasedSealed)).toEqual([]);
    // The scan does see what is still held (the other subject's sealed values).
    expect(foundIn(files, keptSealed).length).toBeGreaterThan(0);
  });
});

describe('subject selectors', () => {
  it.each([
    [{}, 'selector', 'one of email'],
    [{ email: 'a@b.org', phone: '01223 457000' }, 'email,phone', 'one value only'],
    [{ email: 'not-an-email' }, 'email', 'email must be an email address'],
    [{ email: 'someone@localhost' }, 'email', 'email must be'],
    [{ phone: '12' }, 'phone', 'phone must be'],
    [{ uprn: 'UPRN-12' }, 'uprn', 'uprn must be'],
    [{ name: '   ' }, 'name', 'name must be'],
    [{ reference: 'x'.repeat(400) }, 'reference', 'at most 320'],
  ])('refuses %j naming the field', (selector, field, rule) => {
    let error: unknown;
    try {
      parseSubjectSelector(selector);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'LGX_ERR_SUBJECT_SELECTOR', details: { field } });
    expect((error as Error).message).toContain(rule);
    expect((error as Error).message).not.toContain('not-an-email');
  });

  it('refuses a store without a key, and a council the store does not serve', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'keyless-'));
    const store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
    try {
      await store.migrate();
      await expect(openSubjectRequests({ store, council: COUNCIL, encryptionKey: undefined })).rejects.toMatchObject({
        code: 'LGX_ERR_SUBJECT_NO_INDEX',
      });
      await expect(openSubjectRequests({ store, council: 'E09999999', encryptionKey: KEK })).rejects.toMatchObject({
        code: 'LGX_ERR_SUBJECT_COUNCIL',
        details: { field: 'council' },
      });
      // Refusing created no data key for the unknown council.
      expect(await store.listDataKeys('E09999999')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

const binaries = findPostgresBinaries();
(binaries ? describe : describe.skip)('subject requests (PostgreSQL)', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer(binaries!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('finds, exports and erases a subject; no file of the data directory holds their values in plain text', async () => {
    const { erasedSealed, keptSealed } = await subjectScenario(createPostgresStore({ connectionString: server.connectionString }));
    const pool = new pg.Pool({ connectionString: server.connectionString });
    try {
      await pool.query('CHECKPOINT');
    } finally {
      await pool.end();
    }
    const files = filesIn(server.dataDir);
    expect(files.some((f) => f.includes(`${path.sep}pg_wal${path.sep}`))).toBe(true);
    expect(foundIn(files, plainValues)).toEqual([]);
    // The other subject's sealed values are there, so the scan reads the tables. The erased subject's
    // sealed strings are not asserted gone: VACUUM frees the old rows' space, but PostgreSQL does not
    // zero it, so a page may keep their bytes (sealed, never plain) until it is reused, as the guide says.
    const tables = files.filter((f) => !f.includes(`${path.sep}pg_wal${path.sep}`));
    expect(foundIn(tables, keptSealed).length).toBeGreaterThan(0);
    expect(erasedSealed.length).toBeGreaterThan(0);
  });
});
