import { createTransaction, type Channel } from '@lgx/core';
import { waitFor } from '@lgx/testkit';
import { callGateway } from './helpers/call-gateway';
import { COUNCIL, OTHER_COUNCIL, startHarness, type Harness } from './helpers/gateway-harness';

let h: Harness;
let readKey: string;
let otherKey: string;

const pothole = { kind: 'pothole', description: 'Deep pothole by the bus stop', location: { usrn: '8400709' } };
const now = new Date();
const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
const day = (d: Date) => d.toISOString().slice(0, 10);

const get = (path: string, key?: string) => callGateway(h.url, 'GET', path, key ? { key } : {});

async function submit(channel: Channel, council = COUNCIL) {
  const stack = council === COUNCIL ? h.stack : h.other;
  await stack.submit(createTransaction('street.report', structuredClone(pothole) as never, { council, channel }));
}

beforeAll(async () => {
  h = await startHarness();
  readKey = await h.key(['read']);
  otherKey = await h.key(['read'], OTHER_COUNCIL);
  for (const channel of ['web', 'web', 'web', 'phone', 'phone'] as const) await submit(channel);
  for (let i = 0; i < 4; i += 1) await submit('web', OTHER_COUNCIL);
});
afterAll(() => h.close());

const monthly = `period=month&start_at=${day(lastMonth)}&end_at=${day(nextMonth)}`;

describe('GET /v1/reports/:dataset', () => {
  it("answers the key's council's figures in Backdrop's shape, every period present", async () => {
    const res = await get(`/v1/reports/transactions-by-channel?${monthly}&group_by=channel`, readKey);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const records = res.json.data as Array<Record<string, unknown>>;
    const current = records.filter((r) => String(r._timestamp).startsWith(day(thisMonth)));
    expect(current.map((r) => [r.channel, r.count]).sort()).toEqual([
      ['digital', 3],
      ['telephone_human', 2],
    ]);
    // Last month had nothing: still there, counted as none.
    const before = records.filter((r) => String(r._timestamp).startsWith(day(lastMonth)));
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((r) => r.count === 0)).toBe(true);
    for (const record of records)
      expect(record).toEqual(expect.objectContaining({ _id: expect.any(String), period: 'month', end_at: expect.any(String) }));
  });

  it("never shows another council's transactions: each key sees its own", async () => {
    const mine = await get(`/v1/reports/transactions-by-channel?${monthly}`, readKey);
    const theirs = await get(`/v1/reports/transactions-by-channel?${monthly}`, otherKey);
    const total = (res: { json: { data: Array<{ count: number }> } }) => res.json.data.reduce((sum, r) => sum + r.count, 0);
    expect([total(mine), total(theirs)]).toEqual([5, 4]);
  });

  it('takes repeated group_by and filter_by parameters', async () => {
    const res = await get(
      `/v1/reports/transactions-by-channel?${monthly}&group_by=service&group_by=channel&filter_by=channel:telephone_human`,
      readKey,
    );
    expect(res.status).toBe(200);
    const current = (res.json.data as Array<Record<string, unknown>>).filter((r) => String(r._timestamp).startsWith(day(thisMonth)));
    expect(current).toEqual([expect.objectContaining({ service: 'street.report', channel: 'telephone_human', count: 2 })]);
  });

  it('answers CSV with a header row, CRLF line ends, empty cells for null and a file name', async () => {
    const res = await get(`/v1/reports/transactions-by-channel?${monthly}&group_by=channel&format=csv`, readKey);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="transactions-by-channel-month-${day(lastMonth)}-${day(nextMonth)}.csv"`,
    );
    const lines = res.text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 4)).toEqual(['_id', '_timestamp', 'end_at', 'period']);
    expect(header).toEqual(expect.arrayContaining(['channel', 'count']));
    const rows = lines.slice(1, -1).map((l) => Object.fromEntries(l.split(',').map((c, i) => [header[i]!, c])));
    expect(
      rows
        .filter((r) => r._timestamp!.startsWith(day(thisMonth)))
        .map((r) => [r.channel, r.count])
        .sort(),
    ).toEqual([
      ['digital', '3'],
      ['telephone_human', '2'],
    ]);
  });

  it('answers service KPIs per service, with empty CSV cells where no figure can be computed', async () => {
    await waitFor(async () => (await h.stack.list({ limit: 100 })).every((t) => t.state === 'delivered'), 'every delivery');
    const query = `/v1/reports/service-kpis?${monthly}&group_by=service&filter_by=service:street.report`;
    const current = ((await get(query, readKey)).json.data as Array<Record<string, unknown>>).filter((r) =>
      String(r._timestamp).startsWith(day(thisMonth)),
    );
    // No unit costs in the stack: cost measures stay null rather than invented.
    expect(current).toEqual([
      expect.objectContaining({
        council: COUNCIL,
        service: 'street.report',
        number_of_transactions: 5,
        number_of_digital_transactions: 3,
        digital_takeup: 0.6,
        total_cost: null,
        delivered: 5,
        dead: 0,
      }),
    ]);
    const csv = (await get(`${query}&format=csv`, readKey)).text.split('\r\n');
    const header = csv[0]!.split(',');
    const row = csv.map((l) => l.split(',')).find((cells) => cells[header.indexOf('_timestamp')]!.startsWith(day(thisMonth)))!;
    expect([
      row[header.indexOf('number_of_transactions')],
      row[header.indexOf('total_cost')],
      row[header.indexOf('digital_takeup')],
    ]).toEqual(['5', '', '0.6']);
  });

  it('refuses a field the data-set does not have, even one another data-set has', async () => {
    const res = await get(`/v1/reports/transactions-by-channel?${monthly}&group_by=back_office`, readKey);
    expect([res.status, res.json.errors[0].path, res.json.errors[0].rule]).toEqual([400, '/group_by', 'field']);
    expect(res.json.detail).toContain('is not a dimension of transactions-by-channel');
  });

  it.each([
    ['period', 'period=fortnight&start_at=2026-01-01&end_at=2026-02-01'],
    ['start_at', 'period=month&start_at=yesterday&end_at=2026-02-01'],
    ['group_by', 'period=month&start_at=2026-01-01&end_at=2026-02-01&group_by=colour'],
    ['sort_by', 'period=month&start_at=2026-01-01&end_at=2026-02-01&sort_by=count'],
    ['format', 'period=month&start_at=2026-01-01&end_at=2026-02-01&format=xml'],
    ['query', `period=month&start_at=2026-01-01&end_at=2026-02-01${'&group_by=channel'.repeat(300)}`],
  ])('refuses a bad %s with a 400 problem naming it', async (field, query) => {
    const res = await get(`/v1/reports/transactions-by-channel?${query}`, readKey);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.json).toEqual(
      expect.objectContaining({
        code: 'LGX_ERR_REPORT_QUERY',
        status: 400,
        instance: '/v1/reports/:dataset',
        errors: [expect.objectContaining({ path: `/${field}` })],
      }),
    );
    expect(res.json.detail).toContain(field === 'query' ? 'query string' : field);
  });

  it('counts refused report queries in /metrics, as every other refusal', async () => {
    const admin = await h.key(['admin']);
    const rejected = async () =>
      Number(/lgx_requests_rejected_total\{status="400"\} (\d+)/.exec((await get('/metrics', admin)).text)?.[1] ?? 0);
    const before = await rejected();
    await get('/v1/reports/transactions-by-channel?period=fortnight&start_at=2026-01-01&end_at=2026-02-01', readKey);
    expect(await rejected()).toBe(before + 1);
  });

  it('answers 404 for a data-set that does not exist, naming those that do', async () => {
    const res = await get(`/v1/reports/complaints?${monthly}`, readKey);
    expect([res.status, res.json.code]).toEqual([404, 'LGX_ERR_GATEWAY_NOT_FOUND']);
    expect(res.json.detail).toContain('transactions-by-channel, service-kpis');
  });

  it('needs a key with the read scope', async () => {
    expect((await get(`/v1/reports/transactions-by-channel?${monthly}`)).status).toBe(401);
    const submitOnly = await h.key(['submit']);
    const res = await get(`/v1/reports/transactions-by-channel?${monthly}`, submitOnly);
    expect([res.status, res.json.code]).toEqual([403, 'LGX_ERR_GATEWAY_FORBIDDEN']);
  });

  it('is in the OpenAPI document with its parameters and both formats', async () => {
    const doc = (await get('/openapi.json')).json;
    const operation = doc.paths['/v1/reports/{dataset}'].get;
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual([
      'dataset',
      'period',
      'start_at',
      'end_at',
      'group_by',
      'collect',
      'filter_by',
      'format',
    ]);
    expect(operation.parameters[0].schema.enum).toEqual(['transactions-by-channel', 'service-kpis']);
    expect(Object.keys(operation.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '404']));
  });
});
