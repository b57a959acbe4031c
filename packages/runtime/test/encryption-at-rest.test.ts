import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTransaction, type Envelope } from '@lgx/core';
import { createPostgresStore, createSqliteStore, createStack, openReadModel, openStack, type RunningStack, type Store } from '../src/index';
import { closedUrl, installRecordsAdapter, startRecords } from './helpers/records-back-office';
import { filesIn, foundIn } from './helpers/raw-scan';
import { findPostgresBinaries, startPostgresServer, type PostgresServer } from './helpers/postgres-server';

jest.setTimeout(120_000);

const COUNCIL = 'E07000223';
const KEK = randomBytes(32).toString('base64');

/** Personal values no other test uses, so finding one in a file can only mean this test's data leaked. */
const PERSONAL = {
  payerName: 'Zephyrine Quillfeather',
  sortCode: '402715',
  accountNumber: '83920461',
  street: 'Marrowbone Wynd',
  contactName: 'Ottoline',
  contactFamily: 'Brackenbury-Vance',
  email: 'ottoline.bv@example.org',
  phone: '07700 900461',
  residentName: 'Peregrine',
  residentEmail: 'peregrine.w@example.net',
  note: 'Spoke to Zephyrine about the arrears at Marrowbone',
};

function transactions(): Envelope[] {
  const options = (key: string) => ({ council: COUNCIL, idempotencyKey: key, source: '/test/encryption' });
  return [
    createTransaction(
      'revenues.directDebitMandate',
      {
        accountType: 'council_tax',
        accountRef: 'CT-5550001',
        payerName: PERSONAL.payerName,
        payerAddress: { paon: '7', street: PERSONAL.street, town: 'Cambridge', postcode: 'CB2 1NT' },
        sortCode: PERSONAL.sortCode,
        accountNumber: PERSONAL.accountNumber,
        payerIsAccountHolder: true,
        soleSignatory: true,
        declaration: { accepted: true, acceptedAt: '2026-04-02T10:20:00Z' },
      },
      options('dd-1'),
    ),
    createTransaction(
      'crm.contact',
      {
        accountRef: 'acct-1',
        person: { givenName: PERSONAL.contactName, familyName: PERSONAL.contactFamily, email: PERSONAL.email, phone: PERSONAL.phone },
        preferredContactMethod: 'email',
      },
      options('contact-1'),
    ),
    createTransaction(
      'waste.missedCollection',
      {
        uprn: '100090215480',
        service: 'recycling',
        scheduledDate: '2026-11-17',
        residentReport: 'not_emptied',
        requester: { person: { givenName: PERSONAL.residentName, familyName: 'Whitlock', email: PERSONAL.residentEmail } },
      },
      options('missed-1'),
    ),
  ];
}

let root: string;
beforeAll(() => {
  root = installRecordsAdapter(__dirname, '.tmp-encryption-');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function openEncrypted(store: Store, recordsUrl: string, offlineUrl: string, key: string | undefined): Promise<RunningStack> {
  const definition = await createStack(
    {
      council: COUNCIL,
      adapters: {
        records: { package: '@acme/lgx-adapter-records', config: { url: recordsUrl } },
        offline: { package: '@acme/lgx-adapter-records', config: { url: offlineUrl } },
      },
      routes: [
        ...(key ? [{ match: { type: 'revenues.directDebitMandate' }, mode: 'one' as const, targets: ['records'] }] : []),
        { match: { type: 'crm.contact' }, mode: 'one', targets: ['records'] },
        { match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['offline'] },
      ],
      ...(key ? { encryption: { key: '${env:LGX_KEK}' } } : {}),
    },
    { env: { LGX_KEK: key } },
  );
  return openStack(definition, {
    store,
    resolveFrom: root,
    polling: false,
    worker: { pollIntervalMs: 20, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 10 } },
  });
}

/** Submits the three transactions, a status update with a personal note; waits until each stands where the test needs it. */
async function exercise(stack: RunningStack, envelopes: Envelope[]): Promise<void> {
  for (const envelope of envelopes) await stack.submit(envelope);
  const want: Record<string, (states: Array<{ state: string; attempts: number }>) => boolean> = {
    'revenues.directDebitMandate': (ds) => ds.every((d) => d.state === 'delivered'),
    'crm.contact': (ds) => ds.every((d) => d.state === 'dead'),
    'waste.missedCollection': (ds) => ds.every((d) => d.state === 'pending' && d.attempts > 0),
  };
  for (let i = 0; i < 400; i += 1) {
    const views = await Promise.all(envelopes.map((e) => stack.get(e.id)));
    if (views.every((v, n) => v !== undefined && want[envelopes[n]!.type]!(v.deliveries))) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const contact = envelopes.find((e) => e.type === 'crm.contact')!;
  await stack.recordStatusUpdate({
    target: 'records',
    update: {
      externalRef: 'R-1',
      transactionId: contact.id,
      status: 'in_progress',
      description: PERSONAL.note,
      updatedAt: new Date().toISOString(),
    },
  });
}

const values = Object.values(PERSONAL);

async function checkReads(stack: RunningStack, envelopes: Envelope[]): Promise<void> {
  const dd = envelopes[0]!;
  const opened = await stack.get(dd.id, { personalData: true });
  expect(opened?.transaction.envelope?.data).toEqual(dd.data);
  const masked = await stack.get(dd.id);
  expect(JSON.stringify(masked?.transaction.envelope)).not.toContain(PERSONAL.sortCode);
  expect((masked?.transaction.envelope?.data as Record<string, unknown>).accountRef).toBe('CT-5550001');
  const contact = await stack.get(envelopes[1]!.id, { personalData: true });
  expect(contact?.statusUpdates.map((u) => u.update.description)).toEqual([PERSONAL.note]);
  // The dead letter's error text names no one: the runtime scrubbed the vendor's careless message.
  expect(contact?.deliveries[0]?.lastError?.message).toContain('[REDACTED]');
  const list = await stack.list({ limit: 10, types: ['revenues.directDebitMandate'] });
  expect(list.map((s) => s.transaction.id)).toEqual([dd.id]);
}

describe('personal data at rest (SQLite)', () => {
  it('is in neither the database file nor its WAL, while the back office got the real values', async () => {
    const records = await startRecords();
    const dir = fs.mkdtempSync(path.join(root, 'db-'));
    const file = path.join(dir, 'lgx.db');
    const stack = await openEncrypted(createSqliteStore({ file }), records.url, await closedUrl(), KEK);
    const envelopes = transactions();
    try {
      await exercise(stack, envelopes);
      await checkReads(stack, envelopes);
      expect(records.received.find((tx) => tx.type === 'revenues.directDebitMandate')?.data).toEqual(envelopes[0]!.data);
      expect(records.received.find((tx) => tx.type === 'crm.contact')?.data).toEqual(envelopes[1]!.data);
      const files = [file, `${file}-wal`].filter((f) => fs.existsSync(f));
      expect(files).toContain(`${file}-wal`);
      expect(foundIn(files, values)).toEqual([]);
    } finally {
      await stack.close();
      await records.close();
    }
    expect(foundIn(filesIn(dir), values)).toEqual([]);

    // A reader on the store alone (lgx status, lgx dlq): with the key it opens personal data; without
    // it, personal data stays masked and an edited envelope is not let in unsealed.
    const [dd, contact] = envelopes;
    const keyed = await openReadModel({ store: createSqliteStore({ file }), council: COUNCIL, encryptionKey: KEK });
    try {
      expect((await keyed.get(dd!.id, { personalData: true }))?.transaction.envelope?.data).toEqual(dd!.data);
    } finally {
      await keyed.close();
    }
    const keyless = await openReadModel({ store: createSqliteStore({ file }), council: COUNCIL });
    try {
      const shown = (await keyless.get(dd!.id, { personalData: true }))?.transaction.envelope?.data as Record<string, unknown>;
      expect(shown.sortCode).toBe('[REDACTED]');
      expect(shown.accountRef).toBe('CT-5550001');
      const [dead] = await keyless.dlq.list();
      expect(dead?.transactionId).toBe(contact!.id);
      await expect(keyless.dlq.replay(dead!.id, { actor: 'test', reason: 'edited', envelope: contact })).rejects.toMatchObject({
        code: 'LGX_ERR_CRYPTO_KEY_REQUIRED',
      });
    } finally {
      await keyless.close();
    }
    expect(foundIn(filesIn(dir), values)).toEqual([]);
  });

  it('the same scan finds the values when a stack runs without a key (the scan can see them)', async () => {
    const records = await startRecords();
    const dir = fs.mkdtempSync(path.join(root, 'plain-'));
    const file = path.join(dir, 'lgx.db');
    const stack = await openEncrypted(createSqliteStore({ file }), records.url, await closedUrl(), undefined);
    try {
      const envelopes = transactions();
      await exercise(stack, envelopes.slice(1));
    } finally {
      await stack.close();
      await records.close();
    }
    expect(foundIn(filesIn(dir), [PERSONAL.residentEmail, PERSONAL.note])).toEqual([PERSONAL.residentEmail, PERSONAL.note]);
  });
});

const binaries = findPostgresBinaries();
(binaries ? describe : describe.skip)('personal data at rest (PostgreSQL)', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer(binaries!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is in no file of the data directory (tables and WAL, after a checkpoint)', async () => {
    const records = await startRecords();
    const stack = await openEncrypted(
      createPostgresStore({ connectionString: server.connectionString }),
      records.url,
      await closedUrl(),
      KEK,
    );
    const envelopes = transactions();
    try {
      await exercise(stack, envelopes);
      await checkReads(stack, envelopes);
      expect(records.received.find((tx) => tx.type === 'revenues.directDebitMandate')?.data).toEqual(envelopes[0]!.data);
    } finally {
      await stack.close();
      await records.close();
    }
    const pool = new pg.Pool({ connectionString: server.connectionString });
    try {
      await pool.query('CHECKPOINT');
    } finally {
      await pool.end();
    }
    const files = filesIn(server.dataDir);
    expect(files.some((f) => f.includes(`${path.sep}pg_wal${path.sep}`))).toBe(true);
    expect(foundIn(files, values)).toEqual([]);
  });
});
