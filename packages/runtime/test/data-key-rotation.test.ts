import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTransaction, type Envelope } from '@lgx/core';
import {
  createSqliteStore,
  createStack,
  openStack,
  parseKeyEncryptionKey,
  rotateDataKey,
  type RunningStack,
  type Store,
} from '../src/index';
import { installRecordsAdapter, startRecords } from './helpers/records-back-office';

jest.setTimeout(120_000);

const COUNCIL = 'E07000223';
const KEK = randomBytes(32).toString('base64');

let root: string;
beforeAll(() => {
  root = installRecordsAdapter(__dirname, '.tmp-rotation-');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function mandate(n: number): Envelope {
  return createTransaction(
    'revenues.directDebitMandate',
    {
      accountType: 'council_tax',
      accountRef: `CT-${100000 + n}`,
      payerName: `Payer Number ${n}`,
      sortCode: String(100000 + n).slice(-6),
      accountNumber: String(20000000 + n),
      payerIsAccountHolder: true,
      soleSignatory: true,
      declaration: { accepted: true, acceptedAt: '2026-04-02T10:20:00Z' },
    },
    { council: COUNCIL, idempotencyKey: `dd-${n}`, source: '/test/rotation' },
  );
}

async function open(store: Store, url: string, key: string | undefined, routes = true): Promise<RunningStack> {
  const definition = await createStack(
    {
      council: COUNCIL,
      adapters: { records: { package: '@acme/lgx-adapter-records', config: { url } } },
      routes: routes
        ? [{ match: {}, mode: 'one', targets: ['records'] }]
        : [{ match: { type: 'crm.contact' }, mode: 'one', targets: ['records'] }],
      ...(key ? { encryption: { key: '${env:LGX_KEK}' } } : {}),
    },
    { env: { LGX_KEK: key } },
  );
  return openStack(definition, { store, resolveFrom: root, polling: false, keyRefreshMs: 50, worker: { pollIntervalMs: 10 } });
}

describe('data key rotation', () => {
  it('rotates while the stack delivers: every value still opens, the old key is gone, and no row is left under it', async () => {
    const records = await startRecords();
    const dir = fs.mkdtempSync(path.join(root, 'db-'));
    const store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
    const stack = await open(store, records.url, KEK);
    const sent: Envelope[] = [];
    try {
      for (let n = 0; n < 300; n += 1) sent.push(mandate(n));
      for (const envelope of sent) await stack.submit(envelope);
      await stack.recordStatusUpdate({
        target: 'records',
        update: {
          externalRef: 'R-1',
          transactionId: sent[0]!.id,
          status: 'in_progress',
          description: 'Called Payer Number 0',
          updatedAt: new Date().toISOString(),
        },
      });
      const [oldKey] = await store.listDataKeys(COUNCIL);
      // Submitting goes on while rotation runs.
      const submitting = (async () => {
        for (let n = 300; n < 500; n += 1) {
          const envelope = mandate(n);
          sent.push(envelope);
          await stack.submit(envelope);
        }
      })();
      const result = await rotateDataKey({ store, council: COUNCIL, kek: parseKeyEncryptionKey(KEK), batchSize: 40, graceMs: 300 });
      await submitting;
      expect(result.retired).toEqual([oldKey!.id]);
      expect(result.resealed).toBeGreaterThanOrEqual(300);
      expect((await store.listDataKeys(COUNCIL)).map((k) => k.id)).toEqual([result.keyId]);
      expect(await store.listSealedRows(oldKey!.id, 10)).toEqual([]);
      for (const envelope of sent) {
        const view = await stack.get(envelope.id, { personalData: true });
        expect(view?.transaction.envelope?.data).toEqual(envelope.data);
      }
      expect((await stack.get(sent[0]!.id, { personalData: true }))?.statusUpdates[0]?.update.description).toBe('Called Payer Number 0');
      // Deliveries carried on: the back office got every mandate with its real bank details.
      for (let i = 0; i < 400 && records.received.length < sent.length; i += 1) await new Promise((r) => setTimeout(r, 25));
      const byRef = new Map(records.received.map((tx) => [(tx.data as { accountRef: string }).accountRef, tx.data]));
      for (const envelope of sent) expect(byRef.get((envelope.data as { accountRef: string }).accountRef)).toEqual(envelope.data);
    } finally {
      await stack.close();
      await records.close();
    }
  });
});

describe('a stack without a key', () => {
  it('refuses to start when it routes bank details', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'nokey-'));
    const store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
    try {
      await expect(open(store, 'http://127.0.0.1:9/', undefined)).rejects.toMatchObject({
        code: 'LGX_ERR_CRYPTO_KEY_REQUIRED',
        details: { types: ['revenues.directDebitMandate'] },
      });
    } finally {
      await store.close();
    }
  });

  it('starts with a warning when it routes no bank details, and stores as before', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'warn-'));
    const store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message), child: () => logger };
    const definition = await createStack({
      council: COUNCIL,
      adapters: { records: { package: '@acme/lgx-adapter-records', config: { url: 'http://127.0.0.1:9/' } } },
      routes: [{ match: { type: 'crm.contact' }, mode: 'one', targets: ['records'] }],
    });
    const stack = await openStack(definition, { store, resolveFrom: root, polling: false, start: false, logger });
    try {
      expect(warnings.some((w) => w.includes('without encryption'))).toBe(true);
      expect(await store.listDataKeys(COUNCIL)).toEqual([]);
    } finally {
      await stack.close();
    }
  });
});

describe('the key-encryption key file', () => {
  it('is read through ${file:…}, and a mode open to other users is warned about at start', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'kekfile-'));
    fs.writeFileSync(path.join(dir, 'kek'), `${KEK}\n`, { mode: 0o644 });
    fs.chmodSync(path.join(dir, 'kek'), 0o644);
    const warningsAt = async (): Promise<string[]> => {
      const store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
      const warnings: string[] = [];
      const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message), child: () => logger };
      const definition = await createStack(
        {
          council: COUNCIL,
          adapters: { records: { package: '@acme/lgx-adapter-records', config: { url: 'http://127.0.0.1:9/' } } },
          routes: [{ match: {}, mode: 'one', targets: ['records'] }],
          encryption: { key: '${file:kek}' },
        },
        { cwd: dir },
      );
      const stack = await openStack(definition, { store, resolveFrom: root, polling: false, start: false, logger });
      await stack.close();
      return warnings;
    };
    expect(await warningsAt()).toEqual([expect.stringContaining('open to other users (mode 644)')]);
    fs.chmodSync(path.join(dir, 'kek'), 0o600);
    expect(await warningsAt()).toEqual([]);
  });

  it('is refused when written inline in the stack', async () => {
    await expect(
      createStack({
        council: COUNCIL,
        adapters: { records: { package: '@acme/lgx-adapter-records', config: { url: 'http://127.0.0.1:9/' } } },
        routes: [{ match: {}, mode: 'one', targets: ['records'] }],
        encryption: { key: KEK },
      }),
    ).rejects.toMatchObject({ issues: [expect.objectContaining({ path: '/encryption/key', rule: 'secretReference' })] });
  });
});
