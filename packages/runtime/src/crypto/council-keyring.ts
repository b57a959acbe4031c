import { randomBytes, randomUUID } from 'node:crypto';
import { LgxError, schemaRegistry, type Envelope, type JsonSchema, type StatusUpdate } from '@lgx/core';
import type { DataKeyRecord, Sealing, StoreKeys } from '../store/store-keys';
import { unwrapDataKey, wrapDataKey } from './data-key-wrap';
import type { KeyEncryptionKey } from './key-encryption-key';
import { openSealedFields, sealMarkedFields } from './sealed-fields';
import { openValue, sealedKeyId, sealValue } from './sealed-value';
import { subjectHashes, subjectIndexKey } from './subject-terms';

/** How often a running stack looks for a data key another process added (a rotation), at most. */
const DEFAULT_REFRESH_MS = 5_000;

interface OpenKey {
  id: string;
  key: Buffer;
  indexKey: Buffer;
}

/** What a transaction's authenticated context is: its id and the field's path. */
const transactionContext = (id: string, path: string): string => `transaction|${id}|${path}`;
/** A status update's: the back office, its reference and the field's path (its row id comes after it is stored). */
const statusContext = (target: string, externalRef: string, path: string): string => `status|${target}|${externalRef}|${path}`;

/** An envelope's data schema; unknown means every part of `data` is treated as personal. */
function dataSchemaOf(envelope: Pick<Envelope, 'dataschema'>): JsonSchema {
  const entry = typeof envelope.dataschema === 'string' ? schemaRegistry().getById(envelope.dataschema) : undefined;
  return entry?.schema ?? { 'x-lgx-pii': true };
}

/**
 * A council's data keys, unwrapped in memory: seals personal data before it reaches the store and
 * opens it where it is needed. New writes use the newest key; older keys open what they sealed until
 * rotation has sealed it again.
 */
export class CouncilKeyring {
  private keys = new Map<string, OpenKey>();
  private currentId = '';
  private loadedAt = 0;

  private constructor(
    readonly council: string,
    private readonly store: StoreKeys,
    private readonly kek: KeyEncryptionKey,
    private readonly refreshMs: number,
  ) {}

  /** Opens the council's keys from the store, creating its first data key if it has none. */
  static async open(options: { council: string; store: StoreKeys; kek: KeyEncryptionKey; refreshMs?: number }): Promise<CouncilKeyring> {
    const keyring = new CouncilKeyring(options.council, options.store, options.kek, options.refreshMs ?? DEFAULT_REFRESH_MS);
    await keyring.reload();
    if (keyring.keys.size === 0) {
      await keyring.addKey();
      await keyring.reload();
    }
    return keyring;
  }

  /** The data key new writes use. */
  get currentKeyId(): string {
    return this.currentId;
  }

  /** The data key ids held, oldest first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Creates a new data key (wrapped, in the store): once loaded, new writes use it. Resolves its id. */
  async addKey(now = new Date()): Promise<string> {
    const id = `dk-${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const record: DataKeyRecord = {
      id,
      council: this.council,
      wrapped: wrapDataKey(this.kek, this.council, id, randomBytes(32)),
      wrappedBy: this.kek.id,
      createdAt: now.toISOString(),
    };
    await this.store.addDataKey(record);
    await this.reload();
    return id;
  }

  /** Reads the council's keys again (a key another process added becomes the current one). */
  async reload(): Promise<void> {
    const records = await this.store.listDataKeys(this.council);
    const keys = new Map<string, OpenKey>();
    for (const r of records) {
      const known = this.keys.get(r.id);
      const key = known?.key ?? unwrapDataKey(this.kek, r.council, r.id, r.wrapped, r.wrappedBy);
      keys.set(r.id, known ?? { id: r.id, key, indexKey: subjectIndexKey(key, this.council) });
    }
    this.keys = keys;
    this.currentId = records[records.length - 1]?.id ?? '';
    this.loadedAt = Date.now();
  }

  /** Reloads when the keys were read longer ago than the refresh interval. */
  async fresh(): Promise<void> {
    if (Date.now() - this.loadedAt >= this.refreshMs) await this.reload();
  }

  private current(): OpenKey {
    const key = this.keys.get(this.currentId);
    if (!key) throw new Error(`council ${this.council} has no data key loaded`);
    return key;
  }

  /** The council's subject index keys, current first: a search computes its hashes under each. */
  indexKeys(): Buffer[] {
    return [...this.keys.values()].reverse().map((k) => k.indexKey);
  }

  /** An envelope with its personal data sealed, and what the store records beside it. */
  sealEnvelope(envelope: Envelope, transactionId = envelope.id): { envelope: Envelope; sealing: Sealing } {
    const key = this.current();
    const data = sealMarkedFields(envelope.data, dataSchemaOf(envelope), '/data', (value, path) =>
      sealValue(key.key, key.id, value, transactionContext(transactionId, path)),
    );
    return { envelope: { ...envelope, data }, sealing: { keyId: key.id, hashes: subjectHashes(key.indexKey, envelope.data) } };
  }

  /** A status update with its personal data (its free text) sealed, and the data key used. */
  sealStatusUpdate(target: string, update: StatusUpdate): { update: StatusUpdate; keyId: string } {
    const key = this.current();
    const sealed = sealMarkedFields(update, schemaRegistry().get('statusUpdate').schema, '', (value, path) =>
      sealValue(key.key, key.id, value, statusContext(target, update.externalRef, path)),
    ) as StatusUpdate;
    return { update: sealed, keyId: key.id };
  }

  /** A stored envelope opened; a value that does not open throws LGX_ERR_CRYPTO_DECRYPT naming the transaction. */
  async openEnvelope(envelope: Envelope, transactionId = envelope.id): Promise<Envelope> {
    await this.knowKeysOf(envelope.data);
    const data = openSealedFields(envelope.data, '/data', (sealed, path) =>
      this.openOne(sealed, transactionContext(transactionId, path), { transaction: transactionId, path }),
    );
    return { ...envelope, data };
  }

  /** A stored status update opened. */
  async openStatusUpdate(target: string, update: StatusUpdate, id?: number): Promise<StatusUpdate> {
    await this.knowKeysOf(update);
    return openSealedFields(update, '', (sealed, path) =>
      this.openOne(sealed, statusContext(target, update.externalRef, path), {
        statusUpdate: id ?? null,
        ...(update.transactionId ? { transaction: update.transactionId } : {}),
        path,
      }),
    ) as StatusUpdate;
  }

  /** Loads the keys again if `value` names one not held (another process added it since). */
  private async knowKeysOf(value: unknown): Promise<void> {
    let unknown = false;
    openSealedFields(value, '', (sealed) => {
      const id = sealedKeyId(sealed);
      if (id !== undefined && !this.keys.has(id)) unknown = true;
      return undefined;
    });
    if (unknown) await this.reload();
  }

  private openOne(sealed: string, context: string, where: Record<string, unknown>): unknown {
    const id = sealedKeyId(sealed) ?? '';
    const key = this.keys.get(id);
    const subject =
      where.transaction !== undefined ? `transaction ${String(where.transaction)}` : `status update ${String(where.statusUpdate)}`;
    if (!key) {
      throw new LgxError(
        'LGX_ERR_CRYPTO_DECRYPT',
        `${subject}: field ${String(where.path)} is sealed under data key ${id}, which council ${this.council} does not hold`,
        {
          details: { ...where, dataKey: id },
        },
      );
    }
    try {
      return openValue(key.key, sealed, context);
    } catch (cause) {
      throw new LgxError(
        'LGX_ERR_CRYPTO_DECRYPT',
        `${subject}: field ${String(where.path)} does not open with data key ${id} (the ciphertext, its field or its transaction was changed)`,
        { details: { ...where, dataKey: id }, cause },
      );
    }
  }
}
