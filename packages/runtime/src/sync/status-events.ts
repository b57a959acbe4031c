import { EventEmitter } from 'node:events';
import type { StoredStatusUpdate } from '../store/store-types';

/** What subscribers receive: a status update as stored (with its id and linked transaction). */
export interface StatusEventMap {
  statusUpdate: [update: StoredStatusUpdate];
}

/**
 * In-process subscribers to status updates. Only updates stored for the first time are emitted, so a
 * vendor repeating itself (or a poll after a crash re-reading a page) never notifies twice.
 */
export class StatusEvents extends EventEmitter<StatusEventMap> {}
