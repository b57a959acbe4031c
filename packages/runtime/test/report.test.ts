import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransaction, LgxError, type Channel } from '@lgx/core';
import { createSqliteStore, openReadModel, parseReportQuery, REPORT_DATASETS, reportFields, type ReadModel, type Store } from '../src';
import type { AttemptOutcome } from '../src/store/store-types';

const COUNCIL = 'E07000223';
const dir = mkdtempSync(join(tmpdir(), 'lgx-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function send(
  store: Store,
  at: string,
  channel: Channel,
  type = 'street.report',
  data?: Record<string, unknown>,
  target?: string,
): Promise<string | undefined> {
  const envelope = createTransaction(
    type as never,
    (data ?? { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } }) as never,
    { council: COUNCIL, channel },
  );
  const id = randomUUID();
  await store.insertTransaction({
    envelope,
    deliveries: target ? [{ id, target, mode: 'one', order: 0, state: 'pending' }] : [],
    audit: { actor: 'key-test', action: 'transaction.accepted' },
    now: new Date(at),
  });
  return target ? id : undefined;
}

async function finish(store: Store, id: string, target: string, at: string, seconds: number, kind: 'delivered' | 'dead'): Promise<void> {
  const now = new Date(Date.parse(at) + seconds * 1000);
  const leased = await store.leaseDeliveries({ owner: 'w', limit: 1, leaseMs: 60_000, now, targets: [target] });
  expect(leased.map((d) => d.id)).toEqual([id]);
  const outcome: AttemptOutcome =
    kind === 'delivered' ? { kind, receipt: { externalRef: 'R' } } : { kind, error: { classification: 'permanent', message: 'refused' } };
  await store.completeAttempt({
    deliveryId: id,
    owner: 'w',
    attempt: {
      attempt: 1,
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
      outcome: kind === 'delivered' ? 'delivered' : 'failed',
    },
    outcome,
    now,
  });
}

/** One transaction accepted at `at` on `channel` and delivered (or dead) `seconds` later. */
async function deliver(
  store: Store,
  at: string,
  channel: Channel,
  seconds: number,
  kind: 'delivered' | 'dead' = 'delivered',
): Promise<void> {
  const id = await send(store, at, channel, 'street.report', undefined, 'confirm');
  await finish(store, id!, 'confirm', at, seconds, kind);
}

function refusal(fn: () => unknown): { field: unknown; rule: unknown; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LgxError);
    expect((error as LgxError).code).toBe('LGX_ERR_REPORT_QUERY');
    return { ...((error as LgxError).details as { field: unknown; rule: unknown }), message: (error as Error).message };
  }
  throw new Error('expected LGX_ERR_REPORT_QUERY');
}

describe('transactions reports', () => {
  let model: ReadModel;
  beforeAll(async () => {
    const store = createSqliteStore({ file: join(dir, 'report.db') });
    await store.migrate();
    await deliver(store, '2026-04-02T10:00:00Z', 'web', 10);
    await deliver(store, '2026-04-02T11:00:00Z', 'web', 30);
    await deliver(store, '2026-04-02T12:00:00Z', 'web', 5, 'dead');
    await deliver(store, '2026-05-10T09:00:00Z', 'phone', 100);
    await deliver(store, '2026-05-11T09:00:00Z', 'staff', 100);
    await deliver(store, '2024-09-14T09:00:00Z', 'api', 20);
    await send(store, '2026-04-03T08:00:00Z', 'web', 'journey.started', { service: 'street.report' });
    await send(store, '2026-04-03T08:00:00Z', 'web', 'journey.started', { service: 'street.report' });
    await send(store, '2026-04-03T08:10:00Z', 'web', 'feedback.satisfaction', { service: 'street.report', rating: 5 });
    await send(store, '2026-04-03T08:10:00Z', 'web', 'feedback.satisfaction', { service: 'street.report', rating: 3 });
    // Payloads purged: the reports read only the rollups.
    expect(await store.purgePayloads(new Date('2027-01-01T00:00:00Z'))).toBe(10);
    model = await openReadModel({ store, council: COUNCIL, unitCosts: { 'street.report': { web: 0.5, phone: 3 }, '*': { staff: 2 } } });
  });
  afterAll(() => model.close());

  it('gives a year of service KPIs per month, every month present, with costs, completion rate and satisfaction', async () => {
    const { data } = await model.report('service-kpis', { period: 'month', start_at: '2026-04-01', end_at: '2026-07-01' });
    expect(data.map((r) => r._timestamp)).toEqual(['2026-04-01T00:00:00+00:00', '2026-05-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00']);
    expect(Object.keys(data[0]!)).toEqual(
      reportFields('service-kpis').filter((f) => !['lgsl', 'service', 'channel', 'channel_type', 'back_office'].includes(f)),
    );
    expect(data[0]).toMatchObject({
      end_at: '2026-05-01T00:00:00+00:00',
      period: 'month',
      council: COUNCIL,
      number_of_transactions: 2,
      number_of_digital_transactions: 2,
      digital_takeup: 1,
      total_cost: 1,
      cost_per_transaction: 0.5,
      digital_cost_per_transaction: 0.5,
      completion_rate: 1,
      user_satisfaction_score: 0.75,
      num_responses: 2,
      delivered: 2,
      dead: 1,
      queued: 0,
      delivery_success_rate: 0.6667,
    });
    // 10 s and 30 s: the median is read from 2^(1/4)-wide buckets, so within 9.1% of the middle value.
    expect(Math.abs((data[0]!.median_delivery_seconds as number) - 10) / 10).toBeLessThan(0.091);
    expect(data[1]).toMatchObject({
      number_of_transactions: 2,
      number_of_digital_transactions: 1,
      digital_takeup: 0.5,
      total_cost: 5,
      cost_per_transaction: 2.5,
      digital_cost_per_transaction: 2,
      completion_rate: null,
      user_satisfaction_score: null,
      num_responses: 0,
    });
    expect(data[2]).toMatchObject({
      number_of_transactions: 0,
      digital_takeup: null,
      total_cost: 0,
      cost_per_transaction: null,
      delivered: 0,
      delivery_success_rate: null,
      median_delivery_seconds: null,
    });
  });

  it('leaves cost columns empty without unit costs, and when a channel that completed transactions has none', async () => {
    const noCosts = await openReadModel({ store: createSqliteStore({ file: join(dir, 'report.db') }), council: COUNCIL });
    try {
      const { data } = await noCosts.report('service-kpis', {
        period: 'financial_year',
        start_at: '2026-04-01',
        end_at: '2027-04-01',
        collect: ['total_cost', 'cost_per_transaction', 'number_of_transactions'],
      });
      expect(data).toEqual([
        expect.objectContaining({
          _timestamp: '2026-04-01T00:00:00+00:00',
          end_at: '2027-04-01T00:00:00+00:00',
          total_cost: null,
          cost_per_transaction: null,
          number_of_transactions: 4,
        }),
      ]);
      expect(Object.keys(data[0]!)).toEqual([
        '_id',
        '_timestamp',
        'end_at',
        'period',
        'council',
        'number_of_transactions',
        'total_cost',
        'cost_per_transaction',
      ]);
    } finally {
      await noCosts.close();
    }
    const partial = await openReadModel({
      store: createSqliteStore({ file: join(dir, 'report.db') }),
      council: COUNCIL,
      unitCosts: { 'street.report': { web: 0.5 } },
    });
    try {
      const { data } = await partial.report('service-kpis', {
        period: 'month',
        start_at: '2026-04-01',
        end_at: '2026-06-01',
        collect: ['total_cost'],
      });
      expect(data.map((r) => r.total_cost)).toEqual([1, null]);
    } finally {
      await partial.close();
    }
  });

  it('gives transactions by GDS channel and channel type, zero-filled per channel, with Backdrop ids', async () => {
    const { data } = await model.report('transactions-by-channel', {
      period: 'month',
      start_at: '2026-04-01',
      end_at: '2026-07-01',
      group_by: ['channel', 'channel_type'],
    });
    const rows = data.map((r) => [r._timestamp!.toString().slice(0, 7), r.channel, r.channel_type, r.count]);
    expect(rows).toEqual([
      ['2026-04', 'assisted_digital', 'assisted-digital', 0],
      ['2026-04', 'digital', 'digital', 3],
      ['2026-04', 'telephone_human', 'non-digital', 0],
      ['2026-05', 'assisted_digital', 'assisted-digital', 1],
      ['2026-05', 'digital', 'digital', 0],
      ['2026-05', 'telephone_human', 'non-digital', 1],
      ['2026-06', 'assisted_digital', 'assisted-digital', 0],
      ['2026-06', 'digital', 'digital', 0],
      ['2026-06', 'telephone_human', 'non-digital', 0],
    ]);
    expect(data[1]!._id).toBe(Buffer.from(`2026-04-01T00:00:00+00:00.month.${COUNCIL}.digital.digital`).toString('base64url'));
    const again = await model.report('transactions-by-channel', {
      period: 'month',
      start_at: '2026-04-01',
      end_at: '2026-07-01',
      group_by: ['channel', 'channel_type'],
    });
    expect(again.data.map((r) => r._id)).toEqual(data.map((r) => r._id));
    expect(new Set(data.map((r) => r._id)).size).toBe(9);

    const digital = await model.report('transactions-by-channel', {
      period: 'quarter',
      start_at: '2026-04-01',
      end_at: '2026-07-01',
      filter_by: [
        ['channel_type', 'digital'],
        ['channel_type', 'assisted-digital'],
      ],
    });
    expect(digital.data.map((r) => [r._timestamp, r.count])).toEqual([['2026-04-01T00:00:00+00:00', 4]]);
  });

  it('zero-fills the groups a query filters for over a range with no data, and gives nothing for a group it cannot name', async () => {
    const empty = { period: 'month', start_at: '2030-01-01', end_at: '2030-03-01' } as const;
    const pinned = await model.report('transactions-by-channel', {
      ...empty,
      group_by: ['channel'],
      filter_by: [
        ['channel', 'digital'],
        ['channel', 'api'],
      ],
    });
    expect(pinned.data.map((r) => [r._timestamp, r.channel, r.count])).toEqual([
      ['2030-01-01T00:00:00+00:00', 'api', 0],
      ['2030-01-01T00:00:00+00:00', 'digital', 0],
      ['2030-02-01T00:00:00+00:00', 'api', 0],
      ['2030-02-01T00:00:00+00:00', 'digital', 0],
    ]);
    const kpis = await model.report('service-kpis', { ...empty, group_by: ['service'], filter_by: [['service', 'street.report']] });
    expect(
      kpis.data.map((r) => [r._timestamp, r.service, r.number_of_transactions, r.number_of_api_transactions, r.digital_takeup]),
    ).toEqual([
      ['2030-01-01T00:00:00+00:00', 'street.report', 0, 0, null],
      ['2030-02-01T00:00:00+00:00', 'street.report', 0, 0, null],
    ]);
    // Ungrouped, the range is zero-filled too; grouped by a dimension no filter names, no group is known.
    expect((await model.report('transactions-by-channel', empty)).data.map((r) => r.count)).toEqual([0, 0]);
    expect((await model.report('transactions-by-channel', { ...empty, group_by: ['service'] })).data).toEqual([]);
  });

  it('counts API transactions apart and gives the data coverage of each record', async () => {
    const { data } = await model.report('service-kpis', { period: 'month', start_at: '2024-09-01', end_at: '2026-06-01' });
    const rows = data.map((r) => [
      r._timestamp!.toString().slice(0, 7),
      r.number_of_transactions,
      r.number_of_digital_transactions,
      r.number_of_api_transactions,
      r.total_cost,
      r.data_coverage,
    ]);
    // API counts as digital by channel type, and apart; without a unit cost for it, September 2024 has
    // no cost, so two of the Explorer's three figures are provided.
    expect([rows[0], ...rows.slice(-2)]).toEqual([
      ['2024-09', 1, 1, 1, null, 0.6667],
      ['2026-04', 2, 2, 0, 1, 1],
      ['2026-05', 2, 1, 0, 5, 1],
    ]);
    expect(rows.slice(1, -2).every((r) => r[1] === 0 && r[5] === 1)).toBe(true);
  });

  it("answers Backdrop's collect=<measure>:sum keyed as Backdrop keys it, and names why it answers no other method", async () => {
    const { data } = await model.report('transactions-by-channel', {
      period: 'month',
      start_at: '2026-04-01',
      end_at: '2026-06-01',
      group_by: ['channel'],
      collect: ['count:sum'],
    });
    expect(data.map((r) => [r._timestamp!.toString().slice(0, 7), r.channel, r['count:sum'], 'count' in r])).toEqual([
      ['2026-04', 'assisted_digital', 0, false],
      ['2026-04', 'digital', 3, false],
      ['2026-04', 'telephone_human', 0, false],
      ['2026-05', 'assisted_digital', 1, false],
      ['2026-05', 'digital', 0, false],
      ['2026-05', 'telephone_human', 1, false],
    ]);
    const kpis = await model.report('service-kpis', {
      period: 'quarter',
      start_at: '2026-04-01',
      end_at: '2026-07-01',
      collect: ['number_of_transactions:sum', 'total_cost:sum', 'digital_takeup'],
    });
    expect(kpis.data.map((r) => [r['number_of_transactions:sum'], r['total_cost:sum'], r.digital_takeup])).toEqual([[4, 6, 0.75]]);
    const base = { period: 'month', start_at: '2026-04-01', end_at: '2026-05-01' };
    expect(refusal(() => parseReportQuery({ ...base, collect: 'count:mean' }))).toMatchObject({
      field: 'collect',
      rule: 'method',
      message: expect.stringContaining('use count:sum or count'),
    });
    expect(refusal(() => parseReportQuery({ ...base, collect: 'digital_takeup:sum' }))).toMatchObject({
      field: 'collect',
      rule: 'method',
      message: expect.stringContaining('does not add up'),
    });
    expect(refusal(() => parseReportQuery({ ...base, collect: 'count:median' }))).toMatchObject({ field: 'collect', rule: 'method' });
  });

  it('aligns weeks to Monday and financial years to 1 April, and gives delivery figures per back office', async () => {
    const weeks = await model.report('transactions-by-channel', { period: 'week', start_at: '2026-04-01', end_at: '2026-04-13' });
    expect(weeks.data.map((r) => [r._timestamp, r.end_at, r.count])).toEqual([
      ['2026-03-30T00:00:00+00:00', '2026-04-06T00:00:00+00:00', 3],
      ['2026-04-06T00:00:00+00:00', '2026-04-13T00:00:00+00:00', 0],
    ]);
    const years = await model.report('service-kpis', {
      period: 'financial_year',
      start_at: '2026-03-15',
      end_at: '2026-04-02',
      group_by: ['back_office'],
      collect: ['delivered', 'dead', 'number_of_transactions'],
    });
    expect(years.data.map((r) => [r._timestamp, r.back_office, r.delivered, r.dead, r.number_of_transactions])).toEqual([
      ['2025-04-01T00:00:00+00:00', 'confirm', 0, 0, null],
      ['2026-04-01T00:00:00+00:00', 'confirm', 4, 1, null],
    ]);
  });

  it("gives the Transactions Explorer's rolling year: 12 months to each quarter's end, one record a quarter", async () => {
    const years = await model.report('transactions-by-channel', { period: 'year', start_at: '2024-07-01', end_at: '2026-07-01' });
    expect(years.data.map((r) => [r._timestamp, r.end_at, r.period, r.count])).toEqual([
      ['2023-10-01T00:00:00+00:00', '2024-10-01T00:00:00+00:00', 'year', 1],
      ['2024-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00', 'year', 1],
      ['2024-04-01T00:00:00+00:00', '2025-04-01T00:00:00+00:00', 'year', 1],
      ['2024-07-01T00:00:00+00:00', '2025-07-01T00:00:00+00:00', 'year', 1],
      ['2024-10-01T00:00:00+00:00', '2025-10-01T00:00:00+00:00', 'year', 0],
      ['2025-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 'year', 0],
      ['2025-04-01T00:00:00+00:00', '2026-04-01T00:00:00+00:00', 'year', 0],
      ['2025-07-01T00:00:00+00:00', '2026-07-01T00:00:00+00:00', 'year', 5],
    ]);
    // Each record's figures are its four quarters' sums.
    const kpis = await model.report('service-kpis', {
      period: 'year',
      start_at: '2026-04-01',
      end_at: '2026-07-01',
      group_by: ['back_office'],
      collect: ['delivered', 'dead'],
    });
    const quarters = await model.report('service-kpis', {
      period: 'quarter',
      start_at: '2025-07-01',
      end_at: '2026-07-01',
      group_by: ['back_office'],
      collect: ['delivered', 'dead'],
    });
    const sum = (field: string) => quarters.data.reduce((n, r) => n + Number(r[field]), 0);
    expect(kpis.data.map((r) => [r.back_office, r.delivered, r.dead])).toEqual([['confirm', sum('delivered'), sum('dead')]]);
    expect([sum('delivered'), sum('dead')]).toEqual([4, 1]);
  });

  it('parses query-string input, and refuses bad input naming the field and the rule', () => {
    expect(REPORT_DATASETS).toEqual(['transactions-by-channel', 'service-kpis']);
    expect(reportFields('transactions-by-channel')).toEqual([
      '_id',
      '_timestamp',
      'end_at',
      'period',
      'council',
      'lgsl',
      'service',
      'channel',
      'channel_type',
      'count',
    ]);
    expect(
      parseReportQuery({
        period: 'month',
        start_at: '2026-04-01',
        end_at: '2026-07-01T00:00:00Z',
        group_by: ['service', 'channel'],
        collect: 'count',
        filter_by: ['channel:digital', 'service:street.report'],
      }),
    ).toEqual({
      period: 'month',
      start_at: '2026-04-01',
      end_at: '2026-07-01T00:00:00Z',
      group_by: ['service', 'channel'],
      collect: ['count'],
      filter_by: [
        ['channel', 'digital'],
        ['service', 'street.report'],
      ],
    });
    const base = { period: 'month', start_at: '2026-04-01', end_at: '2026-07-01' };
    expect(refusal(() => parseReportQuery({ ...base, period: 'fortnight' }))).toMatchObject({ field: 'period', rule: 'enum' });
    expect(refusal(() => parseReportQuery({ start_at: '2026-04-01', end_at: '2026-07-01' }))).toMatchObject({
      field: 'period',
      rule: 'required',
    });
    expect(refusal(() => parseReportQuery({ ...base, start_at: '2026-02-30' }))).toMatchObject({ field: 'start_at', rule: 'format' });
    expect(refusal(() => parseReportQuery({ ...base, end_at: 'next week' }))).toMatchObject({ field: 'end_at', rule: 'format' });
    expect(refusal(() => parseReportQuery({ ...base, end_at: '2026-03-01' }))).toMatchObject({ field: 'end_at', rule: 'order' });
    expect(refusal(() => parseReportQuery({ ...base, period: 'day', end_at: '2029-01-01' }))).toMatchObject({
      field: 'end_at',
      rule: 'max_periods',
    });
    expect(refusal(() => parseReportQuery({ ...base, group_by: 'colour' }))).toMatchObject({ field: 'group_by', rule: 'field' });
    expect(refusal(() => parseReportQuery({ ...base, collect: ['count', 'profit'] }))).toMatchObject({ field: 'collect', rule: 'field' });
    expect(refusal(() => parseReportQuery({ ...base, filter_by: 'channel' }))).toMatchObject({ field: 'filter_by', rule: 'format' });
    expect(refusal(() => parseReportQuery({ ...base, start_at: ['2026-04-01', 7] }))).toMatchObject({ field: 'start_at', rule: 'type' });
    const long = refusal(() => parseReportQuery({ ...base, start_at: 'x'.repeat(5000) }));
    expect(long.message.length).toBeLessThan(200);
  });

  it('refuses a field of another data-set when reading', async () => {
    await expect(
      model.report('transactions-by-channel', { period: 'month', start_at: '2026-04-01', end_at: '2026-05-01', group_by: ['back_office'] }),
    ).rejects.toMatchObject({
      code: 'LGX_ERR_REPORT_QUERY',
      details: { field: 'group_by', rule: 'field' },
    });
    await expect(model.report('sales' as never, { period: 'month', start_at: '2026-04-01', end_at: '2026-05-01' })).rejects.toMatchObject({
      details: { field: 'dataset', rule: 'enum' },
    });
  });
});
