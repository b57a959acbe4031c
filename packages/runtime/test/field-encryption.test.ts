import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTransaction, type Envelope, type LgxError } from '@lgx/core';
import {
  CouncilKeyring,
  createSqliteStore,
  isSealed,
  normaliseEmail,
  normaliseName,
  normalisePhone,
  normaliseReference,
  normaliseUprnText,
  parseKeyEncryptionKey,
  subjectHash,
  type Store,
} from '../src/index';

const COUNCIL = 'E07000223';

function mandate(key: string): Envelope {
  return createTransaction(
    'revenues.directDebitMandate',
    {
      accountType: 'council_tax',
      accountRef: 'CT 555 0001',
      payerName: 'Sam  Sample',
      payerAddress: { paon: '41', street: 'Hills Road', town: 'Cambridge', postcode: 'CB2 1NT' },
      sortCode: '000001',
      accountNumber: '12345678',
      paymentDay: 1,
      payerIsAccountHolder: true,
      soleSignatory: true,
      declaration: { accepted: true, acceptedAt: '2026-04-02T10:20:00Z' },
    },
    { council: COUNCIL, idempotencyKey: key, source: '/test' },
  );
}

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-crypto-'));
  store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const kekText = () => randomBytes(32).toString('base64');

describe('key-encryption key', () => {
  it('takes 32 bytes of base64 and refuses anything else, naming the field and never the value', () => {
    expect(parseKeyEncryptionKey(kekText()).key).toHaveLength(32);
    const short = 'c2hvcnQta2V5LXRleHQ=';
    const error = (() => {
      try {
        parseKeyEncryptionKey(short);
      } catch (caught) {
        return caught as LgxError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('LGX_ERR_CRYPTO_KEY_INVALID');
    expect(error?.message).toContain('encryption.key');
    expect(error?.message).not.toContain(short);
  });
});

describe('sealed envelopes', () => {
  it('seals every personal field with a fresh IV, keeps the others plain, and opens to the same data', async () => {
    const keyring = await CouncilKeyring.open({ council: COUNCIL, store, kek: parseKeyEncryptionKey(kekText()) });
    const envelope = mandate('a');
    const first = keyring.sealEnvelope(envelope).envelope.data as Record<string, unknown>;
    const second = keyring.sealEnvelope(envelope).envelope.data as Record<string, unknown>;
    for (const field of ['payerName', 'payerAddress', 'sortCode', 'accountNumber']) expect(isSealed(first[field])).toBe(true);
    expect(first.sortCode).not.toBe(second.sortCode);
    expect(first.accountRef).toBe('CT 555 0001');
    expect(first.paymentDay).toBe(1);
    expect((await keyring.openEnvelope({ ...envelope, data: first })).data).toEqual(envelope.data);
  });

  it('a tampered value, or one moved to another transaction, fails with an error naming the transaction and field, not the value', async () => {
    const keyring = await CouncilKeyring.open({ council: COUNCIL, store, kek: parseKeyEncryptionKey(kekText()) });
    const envelope = mandate('a');
    const sealed = keyring.sealEnvelope(envelope).envelope;
    const data = sealed.data as Record<string, string>;
    const flipped = `${data.sortCode!.slice(0, -2)}${data.sortCode!.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(keyring.openEnvelope({ ...sealed, data: { ...data, sortCode: flipped } })).rejects.toMatchObject({
      code: 'LGX_ERR_CRYPTO_DECRYPT',
      message: expect.stringContaining(`transaction ${envelope.id}: field /data/sortCode`),
      details: expect.objectContaining({ transaction: envelope.id, path: '/data/sortCode' }),
    });
    const other = mandate('b');
    const moved = keyring.openEnvelope({ ...other, data: { ...(other.data as object), sortCode: data.sortCode } } as Envelope);
    await expect(moved).rejects.toMatchObject({ code: 'LGX_ERR_CRYPTO_DECRYPT' });
    await moved.catch((error: Error) => expect(error.message).not.toContain('000001'));
  });

  it('another key-encryption key does not open the council data key', async () => {
    await CouncilKeyring.open({ council: COUNCIL, store, kek: parseKeyEncryptionKey(kekText()) });
    await expect(CouncilKeyring.open({ council: COUNCIL, store, kek: parseKeyEncryptionKey(kekText()) })).rejects.toMatchObject({
      code: 'LGX_ERR_CRYPTO_KEY_MISMATCH',
    });
  });
});

describe('subject index', () => {
  it('finds a transaction by keyed hashes of normalised values, without decrypting anything', async () => {
    const keyring = await CouncilKeyring.open({ council: COUNCIL, store, kek: parseKeyEncryptionKey(kekText()) });
    const envelope = mandate('a');
    const { envelope: sealed, sealing } = keyring.sealEnvelope(envelope);
    await store.insertTransaction({
      envelope: sealed,
      sealing,
      deliveries: [],
      audit: { actor: 'test', action: 'transaction.accepted' },
      now: new Date(),
    });
    const [indexKey] = keyring.indexKeys();
    const find = (kind: 'name' | 'reference', value: string) =>
      store.findSubjectTransactions(COUNCIL, [subjectHash(indexKey!, kind, value)], 10);
    expect(await find('name', normaliseName(' SAM sample ')!)).toEqual([envelope.id]);
    expect(await find('reference', normaliseReference('ct5550001')!)).toEqual([envelope.id]);
    expect(await find('name', normaliseName('Sam Samples')!)).toEqual([]);
  });

  it('normalises emails, UK phone numbers, names, UPRNs and references', () => {
    expect(normaliseEmail('  Ottoline.BV@Example.ORG ')).toBe('ottoline.bv@example.org');
    expect(normaliseEmail('not an email')).toBeUndefined();
    expect(['07700 900461', '+44 7700 900461', '+44 (0)7700 900461', '0044 7700-900461', '447700900461'].map(normalisePhone)).toEqual(
      Array(5).fill('+447700900461'),
    );
    expect(normalisePhone('call me')).toBeUndefined();
    expect(normaliseName('  ÉMILE\t de  la Cour ')).toBe('émile de la cour');
    expect(normaliseName('Ｓａｍ')).toBe('sam');
    expect(normaliseUprnText('000100023336956')).toBe('100023336956');
    expect(normaliseUprnText('12a')).toBeUndefined();
    expect(normaliseReference(' nndr 7000 4567 ')).toBe('NNDR70004567');
  });
});
