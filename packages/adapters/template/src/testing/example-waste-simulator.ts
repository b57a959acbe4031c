/**
 * A simulator of the (fictional) Example Waste API v1 that this template adapter talks to. It keeps
 * state like the real thing would: cases created, an idempotency-key index, a change feed, and the
 * collection rounds per property. Vendors copying the template replace it with a simulator of their
 * own published API.
 */
import { reply, startRestSimulator } from '@lgx/testkit';

export interface ExampleCase {
  id: string;
  kind: 'missed_collection' | 'container_request';
  uprn: string;
  status: 'logged' | 'scheduled' | 'completed' | 'rejected' | 'cancelled';
  note?: string;
  created_at: string;
  updated_at: string;
}

export const API_KEY = 'example-waste-test-key-0001';

/** Collection rounds the simulator knows, by UPRN. */
const ROUNDS: Record<
  string,
  Array<{ code: string; name: string; container: string; frequency: string; next_date: string; last_date: string }>
> = {};

function roundsFor(uprn: string) {
  return (
    ROUNDS[uprn] ?? [
      {
        code: 'REF',
        name: 'Refuse',
        container: '240L black wheelie bin',
        frequency: 'Every other Tuesday',
        next_date: '2026-12-01',
        last_date: '2026-11-17',
      },
      {
        code: 'REC',
        name: 'Recycling',
        container: '240L blue wheelie bin',
        frequency: 'Every other Tuesday',
        next_date: '2026-11-24',
        last_date: '2026-11-10',
      },
    ]
  );
}

export interface ExampleWasteSimulatorOptions {
  /** Port (default: any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Folder to keep the cases in (`example-waste.json`), so a restart continues the numbering. Default: memory only. */
  stateDir?: string;
}

export async function startExampleWasteSimulator(options: ExampleWasteSimulatorOptions = {}) {
  return startRestSimulator({
    name: 'example-waste',
    ...options,
    state: () => ({
      cases: new Map<string, ExampleCase>(),
      keys: new Map<string, string>(),
      changes: [] as Array<{ seq: number; id: string; status: ExampleCase['status'] }>,
      seq: 0,
    }),
    auth: (req) => req.headers['x-api-key'] === API_KEY,
    routes: [
      { method: 'GET', path: '/v1/health', handler: () => ({ status: 200, body: { status: 'ok' } }) },
      ...(['missed-collections', 'container-requests'] as const).map((resource) => ({
        method: 'POST' as const,
        path: `/v1/${resource}`,
        handler: (
          req: { headers: Record<string, unknown>; json?: unknown },
          {
            state,
          }: {
            state: {
              cases: Map<string, ExampleCase>;
              keys: Map<string, string>;
              changes: Array<{ seq: number; id: string; status: ExampleCase['status'] }>;
              seq: number;
            };
          },
        ) => {
          const key = req.headers['idempotency-key'];
          if (typeof key === 'string' && state.keys.has(key)) return { status: 200, body: state.cases.get(state.keys.get(key)!) };
          const body = (req.json ?? {}) as { uprn?: unknown };
          if (typeof body.uprn !== 'string' || !/^[0-9]{1,12}$/.test(body.uprn))
            return reply(400, { error: { code: 'INVALID_UPRN', message: 'uprn must be 1 to 12 digits' } });
          const now = new Date().toISOString();
          const prefix = resource === 'missed-collections' ? 'MC' : 'CR';
          const record: ExampleCase = {
            id: `${prefix}-${String(state.cases.size + 1).padStart(6, '0')}`,
            kind: resource === 'missed-collections' ? 'missed_collection' : 'container_request',
            uprn: body.uprn,
            status: 'logged',
            created_at: now,
            updated_at: now,
          };
          state.cases.set(record.id, record);
          if (typeof key === 'string') state.keys.set(key, record.id);
          state.changes.push({ seq: ++state.seq, id: record.id, status: record.status });
          return { status: 201, body: record };
        },
      })),
      {
        method: 'GET',
        path: '/v1/cases/:id',
        handler: (req, { state }) => {
          const found = state.cases.get(req.params.id ?? '');
          return found ? { status: 200, body: found } : reply(404, { error: { code: 'NOT_FOUND', message: 'no such case' } });
        },
      },
      {
        method: 'GET',
        path: '/v1/changes',
        handler: (req, { state }) => {
          const since = Number(req.query.since ?? '0');
          const changes = state.changes.filter((c) => c.seq > since).slice(0, 100);
          return {
            status: 200,
            body: {
              changes: changes.map((c) => ({
                change_id: c.seq,
                case_id: c.id,
                status: c.status,
                updated_at: state.cases.get(c.id)!.updated_at,
                note: state.cases.get(c.id)!.note,
              })),
              next: String(changes.at(-1)?.seq ?? since),
            },
          };
        },
      },
      {
        method: 'GET',
        path: '/v1/properties/:uprn/collections',
        handler: (req) => ({ status: 200, body: { uprn: req.params.uprn, rounds: roundsFor(req.params.uprn ?? '') } }),
      },
    ],
  });
}

export type ExampleWasteSimulator = Awaited<ReturnType<typeof startExampleWasteSimulator>>;

/** Moves a case on, as a crew or officer would in the back office. */
export function progressCase(sim: ExampleWasteSimulator, id: string, to: ExampleCase['status'] = 'scheduled', note?: string): void {
  const found = sim.state.cases.get(id);
  if (!found) throw new Error(`no case ${id}`);
  found.status = to;
  found.updated_at = new Date().toISOString();
  if (note !== undefined) found.note = note;
  sim.state.changes.push({ seq: ++sim.state.seq, id, status: to });
  void sim.saveState();
}
