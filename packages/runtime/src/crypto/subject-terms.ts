import { createHmac, hkdfSync } from 'node:crypto';
import { normaliseEmail, normaliseName, normalisePhone, normaliseReference, normaliseUprnText } from './subject-normalise';

/** What a subject can be searched by. */
export type SubjectKind = 'email' | 'phone' | 'name' | 'uprn' | 'reference';

/** One keyed hash of a normalised value, as the subject index stores it. */
export interface SubjectHash {
  kind: SubjectKind;
  /** HMAC-SHA256 (hex) of the kind and the normalised value, under the council's index key. */
  hash: string;
}

const NORMALISE: Record<SubjectKind, (value: string) => string | undefined> = {
  email: normaliseEmail,
  phone: normalisePhone,
  name: normaliseName,
  uprn: normaliseUprnText,
  reference: normaliseReference,
};

/** Field names that hold each kind, wherever they sit in a transaction's data (person, requester, payer...). */
function kindOf(field: string): SubjectKind | undefined {
  if (/email/i.test(field)) return 'email';
  if (/phone|mobile|telephone/i.test(field)) return 'phone';
  if (/^(givenName|familyName|fullName|payerName|accountHolderName)$/.test(field)) return 'name';
  if (field === 'uprn') return 'uprn';
  if (/^(reference|[a-z]+Ref|[a-z]+Reference)$/.test(field)) return 'reference';
  return undefined;
}

/** Every (kind, normalised value) in a transaction's data, a person's full name included, without repeats. */
export function subjectTerms(data: unknown): Array<{ kind: SubjectKind; value: string }> {
  const found = new Map<string, { kind: SubjectKind; value: string }>();
  const add = (kind: SubjectKind, raw: string): void => {
    const value = NORMALISE[kind](raw);
    if (value !== undefined) found.set(`${kind}\u0000${value}`, { kind, value });
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.givenName === 'string' && typeof record.familyName === 'string')
      add('name', `${record.givenName} ${record.familyName}`);
    for (const [field, child] of Object.entries(record)) {
      const kind = kindOf(field);
      if (kind !== undefined && (typeof child === 'string' || typeof child === 'number')) add(kind, String(child));
      else walk(child);
    }
  };
  walk(data);
  return [...found.values()];
}

/**
 * The council's subject index key: derived from its data key with HKDF (never the data key itself),
 * so the index can be searched without any value being decrypted.
 */
export function subjectIndexKey(dataKey: Buffer, council: string): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.from(council, 'utf8'), Buffer.from('lgx subject index v1', 'utf8'), 32));
}

/** The keyed hash of one normalised value: what `lgx subject find` computes from what it is asked. */
export function subjectHash(indexKey: Buffer, kind: SubjectKind, normalised: string): string {
  return createHmac('sha256', indexKey).update(`${kind}\u0000${normalised}`).digest('hex');
}

/** The keyed hashes of every searchable value in a transaction's data. */
export function subjectHashes(indexKey: Buffer, data: unknown): SubjectHash[] {
  return subjectTerms(data).map(({ kind, value }) => ({ kind, hash: subjectHash(indexKey, kind, value) }));
}
