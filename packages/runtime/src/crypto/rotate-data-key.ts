import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../store/store-types';
import type { ResealedRow } from '../store/store-keys';
import { CouncilKeyring } from './council-keyring';
import type { KeyEncryptionKey } from './key-encryption-key';

export interface RotateDataKeyOptions {
  store: Store;
  council: string;
  kek: KeyEncryptionKey;
  /** Rows sealed again per database transaction (default 500): each batch is short, so the stack keeps running. */
  batchSize?: number;
  /**
   * How long to wait before the old keys go, after the last batch (default 6 s): longer than running
   * stacks take to notice the new key (`keyRefreshMs`, default 5 s), so none still writes under an old one.
   */
  graceMs?: number;
  /** Told after each batch: how many rows were sealed again so far. */
  onProgress?: (progress: { resealed: number; keyId: string }) => void;
  signal?: AbortSignal;
}

export interface RotateDataKeyResult {
  /** The new data key: every value is sealed under it now. */
  keyId: string;
  /** The data keys removed from the store. */
  retired: string[];
  /** Rows sealed again. */
  resealed: number;
}

/** Batches in a row that changed nothing (every row changed under it) before rotation gives up. */
const MAX_IDLE_BATCHES = 20;

/**
 * Rotates a council's data key while its stacks keep running: adds a new data key (new writes use it
 * once each stack has reloaded its keys), then seals every row sealed under an older key again, in
 * bounded batches read through an index (each batch its own short database transaction, each row
 * written only if it did not change since it was read), and removes each old key once no row uses it.
 */
export async function rotateDataKey(options: RotateDataKeyOptions): Promise<RotateDataKeyResult> {
  const { store, council, kek } = options;
  const batchSize = options.batchSize ?? 500;
  const keyring = await CouncilKeyring.open({ council, store, kek, refreshMs: Number.POSITIVE_INFINITY });
  const old = keyring.keyIds;
  const keyId = await keyring.addKey();
  let resealed = 0;

  const sweep = async (from: string): Promise<void> => {
    for (let idle = 0; ;) {
      options.signal?.throwIfAborted();
      const rows = await store.listSealedRows(from, batchSize);
      if (rows.length === 0) return;
      const writes: ResealedRow[] = [];
      for (const row of rows) {
        if (row.table === 'status_updates') {
          const opened = await keyring.openStatusUpdate(row.target, row.update, row.id);
          const sealed = keyring.sealStatusUpdate(row.target, opened);
          writes.push({ table: 'status_updates', id: row.id, from: row.update, update: sealed.update, keyId: sealed.keyId });
        } else if (row.envelope === undefined) {
          writes.push({ table: 'transactions', id: row.id, from: undefined, envelope: undefined, sealing: undefined });
        } else {
          const sealed = keyring.sealEnvelope(await keyring.openEnvelope(row.envelope, row.id), row.id);
          writes.push({ table: 'transactions', id: row.id, from: row.envelope, envelope: sealed.envelope, sealing: sealed.sealing });
        }
      }
      const changed = await store.resealRows(writes);
      resealed += changed;
      options.onProgress?.({ resealed, keyId: from });
      idle = changed === 0 ? idle + 1 : 0;
      // Give the event loop back between batches: a stack in this process (accepting, delivering)
      // runs between them instead of waiting for the whole sweep.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (idle >= MAX_IDLE_BATCHES)
        throw new Error(`rotation of council ${council}'s data key ${from} made no progress: rows keep changing under it`);
    }
  };

  for (const from of old) await sweep(from);
  // Stacks that had not yet seen the new key may have sealed a few rows under an old one meanwhile.
  await sleep(options.graceMs ?? 6_000, undefined, options.signal ? { signal: options.signal } : undefined);
  const retired: string[] = [];
  for (const from of old) {
    await sweep(from);
    if (await store.removeDataKey(from)) retired.push(from);
  }
  return { keyId, retired, resealed };
}
