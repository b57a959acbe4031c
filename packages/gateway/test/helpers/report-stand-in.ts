/*
 * A stand-in for @lgx/runtime's reporting functions while they are being built: transactions-by-channel
 * by month only, counted from the stack's list of transactions. Tests only; the gateway's code calls
 * the runtime's names, which this replaces through jest.mock.
 */
import { LgxError, type LgxErrorCode } from '@lgx/core';
import type { RunningStack } from '@lgx/runtime';

const GDS_CHANNEL: Record<string, string> = { web: 'digital', app: 'digital', api: 'api', phone: 'telephone_human', face_to_face: 'face_to_face', post: 'paper_form' };
const FIELDS = ['_id', '_timestamp', 'end_at', 'period', 'council', 'lgsl', 'service', 'channel', 'channel_type', 'count'];

const queryError = (field: string, rule: string, message: string) => new LgxError('LGX_ERR_REPORT_QUERY' as LgxErrorCode, message, { details: { field, rule } });
const one = (v: unknown): string | undefined => (Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v));
const many = (v: unknown): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v.map(String) : [String(v)]);

export const reportFunctions = {
  REPORT_DATASETS: ['transactions-by-channel', 'service-kpis'],
  reportFields: () => FIELDS,
  parseReportQuery(input: Record<string, unknown>) {
    const period = one(input.period);
    if (period !== 'month') throw queryError('period', 'enum', `period must be one of day, week, month, quarter, financial_year`);
    const start = one(input.start_at);
    const end = one(input.end_at);
    if (!start || Number.isNaN(Date.parse(start))) throw queryError('start_at', 'format', 'start_at must be an ISO date');
    if (!end || Number.isNaN(Date.parse(end))) throw queryError('end_at', 'format', 'end_at must be an ISO date');
    const groupBy = many(input.group_by);
    for (const field of groupBy ?? []) if (!['channel', 'service'].includes(field)) throw queryError('group_by', 'unknown', `'${field}' is not a dimension`);
    const filterBy = many(input.filter_by)?.map((f) => f.split(':', 2) as [string, string]);
    return { period, start_at: start, end_at: end, ...(groupBy ? { group_by: groupBy } : {}), ...(filterBy ? { filter_by: filterBy } : {}) };
  },
};

/** Gives a running stack a `report` counting its transactions per month and group. */
export function standInReport(stack: RunningStack): void {
  Object.assign(stack, {
    async report(_dataset: string, query: { start_at: string; end_at: string; group_by?: string[]; filter_by?: Array<[string, string]> }) {
      const rows = await stack.list({ limit: 10_000 });
      const data: Array<Record<string, string | number | null>> = [];
      for (let at = new Date(query.start_at); at < new Date(query.end_at); at = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1))) {
        const next = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
        const groups = new Map<string, Record<string, string | number | null>>();
        for (const { transaction } of rows) {
          const created = new Date(transaction.createdAt);
          if (created < at || created >= next) continue;
          const dims: Record<string, string> = { channel: GDS_CHANNEL[transaction.envelope?.channel ?? 'api'] ?? 'api', service: transaction.type };
          if (query.filter_by?.some(([f, v]) => dims[f] !== v)) continue;
          const picked = Object.fromEntries((query.group_by ?? []).map((f) => [f, dims[f]!]));
          const key = JSON.stringify(picked);
          const record = groups.get(key) ?? { _id: Buffer.from(`${at.toISOString()}.month.${Object.values(picked).join('.')}`).toString('base64url'), _timestamp: at.toISOString(), end_at: next.toISOString(), period: 'month', ...picked, count: 0 };
          record.count = Number(record.count) + 1;
          groups.set(key, record);
        }
        data.push(...(groups.size ? groups.values() : [{ _id: Buffer.from(`${at.toISOString()}.month`).toString('base64url'), _timestamp: at.toISOString(), end_at: next.toISOString(), period: 'month', count: 0 }]));
      }
      return { data };
    },
  });
}
