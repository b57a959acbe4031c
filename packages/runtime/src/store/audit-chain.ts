import { canonicalJson, sha256Hex } from '../internal/canonical-json';
import type { AuditEntry, AuditInput } from './store-types';

/** The prevHash of a council's first audit entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an audit hash covers. Absent optional fields count as null so the text is canonical. */
function hashedFields(entry: AuditInput & { seq: number; at: string; prevHash: string }): Record<string, unknown> {
  return {
    council: entry.council,
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    transactionId: entry.transactionId ?? null,
    deliveryId: entry.deliveryId ?? null,
    payloadHash: entry.payloadHash ?? null,
    details: entry.details ?? null,
    prevHash: entry.prevHash,
  };
}

/** SHA-256 hex over the canonical JSON of an entry's content and the previous entry's hash. */
export function hashAuditEntry(entry: AuditInput & { seq: number; at: string; prevHash: string }): string {
  return sha256Hex(canonicalJson(hashedFields(entry)));
}

/** Builds the next entry of a council's chain from the last one (undefined for the first). */
export function chainAuditEntry(input: AuditInput, previous: { seq: number; hash: string } | undefined, at: Date): AuditEntry {
  const entry: AuditEntry = {
    council: input.council,
    actor: input.actor,
    action: input.action,
    seq: (previous?.seq ?? 0) + 1,
    at: at.toISOString(),
    prevHash: previous?.hash ?? GENESIS_HASH,
    hash: '',
  };
  // Optional fields are only set when present so a stored entry reads back exactly as it was written.
  if (input.transactionId !== undefined) entry.transactionId = input.transactionId;
  if (input.deliveryId !== undefined) entry.deliveryId = input.deliveryId;
  if (input.payloadHash !== undefined) entry.payloadHash = input.payloadHash;
  if (input.details !== undefined) entry.details = input.details;
  entry.hash = hashAuditEntry(entry);
  return entry;
}

export type AuditChainVerdict = { ok: true } | { ok: false; seq: number; reason: string };

export interface VerifyAuditChainOptions {
  /**
   * The entry just before the first one given, when verifying a tail of a chain (e.g. a page read
   * with `afterSeq`). Without it the entries must start at seq 1, so a removed first entry is caught.
   */
  after?: { seq: number; hash: string };
}

/**
 * Checks one council's audit entries, in seq order: every hash matches its content (a changed entry),
 * seq has no gaps and each prevHash is the previous entry's hash (a removed or reordered entry).
 */
export function verifyAuditChain(entries: AuditEntry[], options: VerifyAuditChainOptions = {}): AuditChainVerdict {
  let expectedSeq = (options.after?.seq ?? 0) + 1;
  let expectedPrev = options.after?.hash ?? GENESIS_HASH;
  const council = entries[0]?.council;
  for (const entry of entries) {
    if (entry.council !== council)
      return { ok: false, seq: entry.seq, reason: `entry belongs to council ${entry.council}, not ${String(council)}` };
    if (entry.seq !== expectedSeq)
      return { ok: false, seq: entry.seq, reason: `expected seq ${expectedSeq}, found ${entry.seq}: an entry is missing or out of order` };
    if (entry.prevHash !== expectedPrev)
      return { ok: false, seq: entry.seq, reason: 'prevHash does not match the previous entry: an entry was removed or changed' };
    if (hashAuditEntry(entry) !== entry.hash)
      return { ok: false, seq: entry.seq, reason: 'hash does not match the entry: the entry was changed' };
    expectedSeq = entry.seq + 1;
    expectedPrev = entry.hash;
  }
  return { ok: true };
}
