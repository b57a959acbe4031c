import type { Store } from '../store/store-types';
import { createReadModel } from './read-model';
import type { StackReader } from './read-types';
import type { UnitCosts } from './report';

/** A read model on a store of its own: close() closes the store. */
export interface ReadModel extends StackReader {
  close(): Promise<void>;
}

export interface OpenReadModelOptions {
  store: Store;
  /** The council whose pages, dead letters and audit chain it reads (`get` reads any council's). */
  council?: string;
  /** Unit costs for the reports' cost measures (a stack file's `reporting.unitCosts`); none by default. */
  unitCosts?: UnitCosts;
}

/**
 * Opens the read side of a store without a stack: transaction views, pages, status updates, the
 * dead-letter queue, the audit chain and a health probe, with no adapter loaded and no secret needed
 * (for commands such as `lgx status` and `lgx dlq`). The store is migrated first; a replayed dead
 * letter is delivered by whichever worker runs on the store.
 */
export async function openReadModel(options: OpenReadModelOptions): Promise<ReadModel> {
  try {
    await options.store.migrate();
  } catch (error) {
    await options.store.close();
    throw error;
  }
  return { ...createReadModel(options), close: () => options.store.close() };
}
