import { reply, startRestSimulator, type RestSimulator } from '@lgx/testkit';

/*
 * A Backdrop-compatible write endpoint on 127.0.0.1, for publishing tests: `POST /data/<group>/<type>`
 * with `Authorization: Bearer <token>` and one record or an array of them, checked by Backdrop's
 * record rules and stored by `_id` (a record with an `_id` already there replaces it).
 */

export interface BackdropState {
  /** Records by data-set (`<group>/<type>`), then by `_id`. */
  datasets: Map<string, Map<string, Record<string, unknown>>>;
  /** How many records each accepted request carried, in order. */
  batches: number[];
}

export type BackdropReceiver = RestSimulator<BackdropState> & {
  /** The records of a data-set, by `_id`. */
  records(group: string, type: string): Map<string, Record<string, unknown>>;
};

/** Backdrop's rules: snake_case keys; `_` only for its reserved keys; `_timestamp` whole seconds with Z or an offset. */
const KEY = /^[a-z_][a-z0-9_]+$/;
const RESERVED = new Set(['_timestamp', '_start_at', '_end_at', '_id']);
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/;

function problems(record: unknown, index: number): string[] {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return [`record ${index} is not an object`];
  const found: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (!KEY.test(key)) found.push(`record ${index}: ${key} is not a valid key`);
    else if (key.startsWith('_') && !RESERVED.has(key)) found.push(`record ${index}: ${key} is not a recognised internal field`);
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value))
      found.push(`record ${index}: ${key} has an invalid value`);
  }
  const timestamp = (record as Record<string, unknown>)._timestamp;
  if (timestamp !== undefined && (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)))
    found.push(`record ${index}: _timestamp is not a valid datetime`);
  return found;
}

export async function startBackdropReceiver(token: string): Promise<BackdropReceiver> {
  const receiver = await startRestSimulator<BackdropState>({
    name: 'backdrop',
    state: () => ({ datasets: new Map(), batches: [] }),
    // Backdrop's own answer to a bad token; this one also echoes what it was sent, as some receivers do.
    auth: (request) =>
      request.headers.authorization === `Bearer ${token}` ||
      reply(
        401,
        {
          status: 'error',
          message: `Unauthorized: Invalid bearer token '${String(request.headers.authorization ?? '').replace(/^Bearer /, '')}' for '${request.path}'`,
        },
        { 'www-authenticate': 'bearer' },
      ),
    routes: [
      {
        method: 'POST',
        path: '/data/:group/:type',
        handler: (request, { state }) => {
          if (request.json === undefined) return reply(400, { messages: ['Expected JSON request body but received none'] });
          const records = Array.isArray(request.json) ? request.json : [request.json];
          const messages = records.flatMap(problems);
          if (messages.length) return reply(400, { messages });
          const dataset = `${request.params.group}/${request.params.type}`;
          const stored = state.datasets.get(dataset) ?? new Map<string, Record<string, unknown>>();
          state.datasets.set(dataset, stored);
          for (const record of records as Array<Record<string, unknown>>) stored.set(String(record._id ?? `auto-${stored.size}`), record);
          state.batches.push(records.length);
          return reply(200, { status: 'ok' });
        },
      },
    ],
  });
  return Object.assign(receiver, {
    records: (group: string, type: string) => receiver.state.datasets.get(`${group}/${type}`) ?? new Map<string, Record<string, unknown>>(),
  });
}
