/**
 * A tiny fictional "street reports" REST API and a correct adapter for it, from which the mutants
 * are made by switching on one defect each. The conformance suite must pass the correct one and
 * catch every mutant with the check meant for it.
 */
import { assertValidData, defineAdapter, NotFoundError, type Receipt, type StatusUpdate } from '@lgx/core';
import { startRestSimulator, reply } from '../../src/simulators/rest-simulator';

export interface Report {
  id: string;
  kind: string;
  status: 'received' | 'in_hand' | 'done';
  updatedAt: string;
  seq: number;
}

/** The simulator's API key, shaped like a vendor's live key. */
export const REPORTS_API_KEY = 'rk_live_7Q2m9Xb4Lw8c';

export async function startReportsApi() {
  let seq = 0;
  return startRestSimulator({
    name: 'reports-api',
    state: () => ({
      reports: new Map<string, Report>(),
      byKey: new Map<string, string>(),
      changes: [] as Array<{ seq: number; id: string }>,
    }),
    auth: (req) => req.headers['x-api-key'] === REPORTS_API_KEY,
    routes: [
      { method: 'GET', path: '/health', handler: () => ({ status: 200, body: { status: 'ok' } }) },
      {
        method: 'POST',
        path: '/reports',
        handler: (req, { state }) => {
          const key = req.headers['idempotency-key'];
          const existing = typeof key === 'string' ? state.byKey.get(key) : undefined;
          if (existing) return { status: 200, body: state.reports.get(existing) };
          const body = req.json as { kind?: string } | undefined;
          if (!body?.kind) return reply(400, { error: 'kind required' });
          const report: Report = {
            id: `R-${state.reports.size + 1}`,
            kind: body.kind,
            status: 'received',
            updatedAt: new Date().toISOString(),
            seq: ++seq,
          };
          state.reports.set(report.id, report);
          state.changes.push({ seq: report.seq, id: report.id });
          if (typeof key === 'string') state.byKey.set(key, report.id);
          return { status: 201, body: report };
        },
      },
      {
        method: 'GET',
        path: '/reports/:id',
        handler: (req, { state }) => {
          const report = state.reports.get(req.params.id ?? '');
          return report ? { status: 200, body: report } : reply(404, { error: 'not found' });
        },
      },
      {
        method: 'GET',
        path: '/changes',
        handler: (req, { state }) => {
          const since = Number(req.query.since ?? 0);
          const changes = state.changes.filter((c) => c.seq > since).map((c) => ({ ...state.reports.get(c.id)!, seq: c.seq }));
          return { status: 200, body: { changes, last: Math.max(since, ...changes.map((c) => c.seq)) } };
        },
      },
    ],
  });
}

export type ReportsApi = Awaited<ReturnType<typeof startReportsApi>>;

/** Moves a report on at the vendor, as an officer would. */
export function advance(api: ReportsApi, id: string): void {
  const report = api.state.reports.get(id);
  if (!report) throw new Error(`no report ${id}`);
  report.status = report.status === 'received' ? 'in_hand' : 'done';
  report.updatedAt = new Date().toISOString();
  report.seq = report.seq + 1000 + api.state.changes.length;
  api.state.changes.push({ seq: report.seq, id });
}

const STATUS: Record<Report['status'], StatusUpdate['status']> = { received: 'open', in_hand: 'in_progress', done: 'fixed' };

/** The defects a mutant can carry. */
export interface Defects {
  logsSecret?: boolean;
  retriesItself?: boolean;
  serverErrorIsPermanent?: boolean;
  ignoresAbort?: boolean;
  dropsIdempotencyKey?: boolean;
  sendsBeforeValidating?: boolean;
  invalidReceipt?: boolean;
  printsKeyPrefix?: boolean;
  personalDataInError?: boolean;
  personalDataInReceipt?: boolean;
  statusIgnoresAbort?: boolean;
  pollIgnoresAbort?: boolean;
  inventsStatusOn404?: boolean;
  mutatesInput?: boolean;
}

/** The reporter's e-mail address, if the report has one. */
const reporterEmail = (data: { requester?: { person?: { email?: string } } }): string | undefined => data.requester?.person?.email;

export function reportsAdapter(defects: Defects = {}) {
  return defineAdapter({
    manifest: { id: 'reports-api', vendor: 'Example', product: 'Reports API', version: '1.0.0', sdk: '^1.0.0', domains: ['street'] },
    configSchema: {
      type: 'object',
      required: ['baseUrl', 'apiKey'],
      additionalProperties: false,
      properties: { baseUrl: { type: 'string', format: 'uri' }, apiKey: { type: 'string', minLength: 8, 'x-lgx-secret': true } },
    },
    capabilities: [{ type: 'street.report', versions: [1], operations: ['submit', 'getStatus', 'pollUpdates'], idempotency: 'key' }],
    create: (context, config: { baseUrl: string; apiKey: string }) => {
      const http = context.http({
        baseUrl: config.baseUrl,
        headers: { 'x-api-key': config.apiKey },
        timeoutMs: defects.ignoresAbort ? 60_000 : 10_000,
      });
      const toUpdate = (r: Report): StatusUpdate => ({
        externalRef: r.id,
        updateId: String(r.seq),
        status: STATUS[r.status],
        externalStatusCode: r.status,
        updatedAt: r.updatedAt,
        source: 'reports-api',
      });
      return {
        check: async ({ signal }) => {
          try {
            await http.get('/health', { signal });
            return { ok: true };
          } catch (error) {
            return { ok: false, message: (error as Error).message };
          }
        },
        submit: async (tx, { signal }) => {
          if (defects.logsSecret) context.logger.debug('submitting', { key: config.apiKey });
          if (defects.printsKeyPrefix) process.stdout.write(`reports-api: using key ${config.apiKey.slice(0, 8)}...\n`);
          // A vendor code for the kind, written over the caller's transaction instead of a copy.
          if (defects.mutatesInput) (tx.data as { kind: string }).kind = tx.data.kind.toUpperCase();
          const send = async () => {
            try {
              return await http.post<Report>('/reports', {
                json: { kind: tx.data.kind },
                ...(defects.dropsIdempotencyKey ? {} : { idempotencyKey: tx.idempotencykey }),
                ...(defects.ignoresAbort ? {} : { signal }),
              });
            } catch (error) {
              if (defects.serverErrorIsPermanent && (error as { status?: number }).status === 500) {
                const { PermanentError } = await import('@lgx/core');
                throw new PermanentError('vendor failed', { status: 500 });
              }
              const email = reporterEmail(tx.data);
              if (defects.personalDataInError && email)
                (error as Error).message = `the report from ${email} was refused: ${(error as Error).message}`;
              throw error;
            }
          };
          if (!defects.sendsBeforeValidating) assertValidData('street.report', tx.data);
          let response;
          if (defects.retriesItself) {
            for (let i = 0; ; i++) {
              try {
                response = await send();
                break;
              } catch (error) {
                if (i >= 2) throw error;
              }
            }
          } else response = await send();
          if (defects.sendsBeforeValidating) assertValidData('street.report', tx.data);
          const email = reporterEmail(tx.data);
          const receipt: Receipt = {
            externalRef: response.data.id,
            status: 'open',
            externalStatusCode: response.data.status,
            ...(defects.personalDataInReceipt && email ? { attributes: { reportedBy: email } } : {}),
          };
          return defects.invalidReceipt ? ({ reference: response.data.id } as unknown as Receipt) : receipt;
        },
        getStatus: async (ref, { signal }) => {
          try {
            return toUpdate(
              (await http.get<Report>(`/reports/${encodeURIComponent(ref)}`, defects.statusIgnoresAbort ? {} : { signal })).data,
            );
          } catch (error) {
            // "Gone at the vendor, so it must be finished": a status the vendor never gave.
            if (defects.inventsStatusOn404 && error instanceof NotFoundError)
              return { externalRef: ref, status: 'closed', updatedAt: new Date().toISOString() };
            throw error;
          }
        },
        pollUpdates: async (cursor, { signal }) => {
          const res = await http.get<{ changes: Report[]; last: number }>('/changes', {
            query: { since: cursor ?? '0' },
            ...(defects.pollIgnoresAbort ? {} : { signal }),
          });
          return { updates: res.data.changes.map(toUpdate), cursor: String(res.data.last) };
        },
      };
    },
  });
}
