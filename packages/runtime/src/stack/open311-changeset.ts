import { canonicalJson, sha256Hex } from '../internal/canonical-json';
import type { Store } from '../store/store-types';

/** The cursor holding a council's Open311 services: their hash and when it last changed. */
const cursorName = (council: string): string => `open311-services:${council}`;

/**
 * When the council's Open311 services last changed, for discovery's `changeset`: the hash of the
 * services as configured is kept in the store beside the time it was first seen, so the time moves
 * only when the services do (not at every restart), and every node on one store answers the same.
 */
export async function open311Changeset(store: Store, council: string, services: unknown, now: Date): Promise<Date> {
  const hash = sha256Hex(canonicalJson(services));
  const stored = await store.getCursor(cursorName(council));
  if (stored !== undefined) {
    try {
      const known = JSON.parse(stored) as { hash?: unknown; since?: unknown };
      if (known.hash === hash && typeof known.since === 'string' && !Number.isNaN(Date.parse(known.since))) return new Date(known.since);
    } catch {
      // An unreadable cursor is replaced below.
    }
  }
  await store.setCursor(cursorName(council), JSON.stringify({ hash, since: now.toISOString() }));
  return now;
}
