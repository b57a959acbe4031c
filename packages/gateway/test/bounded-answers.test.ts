import { startHarness, type Harness } from './helpers/gateway-harness';

/*
 * What a hostile or broken payload gets back: a small, well-formed 400 that names the first problems
 * and says how many there were, never a 500 or an answer larger than the request.
 */

let h: Harness;
let submitKey: string;

const pothole = { kind: 'pothole', description: 'Deep pothole by the bus stop', location: { usrn: '8400709' } };

async function post(path: string, raw: string, type = 'application/json') {
  const response = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${submitKey}`, 'content-type': type },
    body: raw,
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    text,
    json: JSON.parse(text) as Record<string, unknown>,
  };
}

beforeAll(async () => {
  // Validating 60,000 bad items holds the event loop for a while on a busy machine; event-loop load
  // shedding would then answer the next request 503, which is not what these tests are about.
  h = await startHarness({ loadShedding: { maxEventLoopDelayMs: 60_000 } });
  submitKey = await h.key(['submit', 'read']);
});
afterAll(() => h.close());

describe('bounded answers', () => {
  it('answers 20,000 invalid items with a 400 that lists 100 issues and counts them all', async () => {
    const body = JSON.stringify({ type: 'street.report', data: { ...pothole, media: Array.from({ length: 20_000 }, () => ({})) } });
    const res = await post('/v1/transactions', body);
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.text.length).toBeLessThan(64 * 1024);
    expect(res.json).toEqual(
      expect.objectContaining({ code: 'LGX_ERR_VALIDATION_INVALID', truncated: true, errorCount: expect.any(Number) }),
    );
    expect(res.json.errors).toHaveLength(100);
    expect((res.json.errors as Array<{ path: string }>)[0]).toEqual(expect.objectContaining({ path: '/data/media', rule: 'maxItems' }));
    // Every one of the 20,000 items misses required fields, and the list is over its limit.
    expect(res.json.errorCount as number).toBeGreaterThan(20_000);
    expect(res.json.detail).toContain(`(and ${(res.json.errorCount as number) - 1} more)`);
    // Three times as many: the same small answer, not a stack overflow.
    const more = await post(
      '/v1/transactions',
      JSON.stringify({ type: 'street.report', data: { ...pothole, media: Array.from({ length: 60_000 }, () => ({})) } }),
    );
    expect([more.status, more.text.length < 64 * 1024, (more.json.errorCount as number) > 60_000]).toEqual([400, true, true]);
    expect(h.streets.state.reports.size).toBe(0);
  });

  it('answers a body nested 100,000 levels deep with a 400 naming the field and the rule', async () => {
    const depth = 100_000;
    const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const inData = await post(
      '/v1/transactions',
      JSON.stringify({ type: 'street.report', data: { ...pothole, attributes: '@' } }).replace('"@"', deep),
    );
    expect(inData.status).toBe(400);
    expect(inData.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/data/attributes/a', rule: 'anyOf' })]));
    const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const inEnvelope = await post('/v1/transactions', `{"type":"street.report","data":${JSON.stringify(pothole)},"extra":${arrays}}`);
    expect(inEnvelope.status).toBe(400);
    expect(inEnvelope.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/extra' })]));
    const query = await post('/v1/queries/waste.collectionSchedule', `{"uprn":${arrays}}`);
    expect([query.status, query.json.code]).toEqual([400, 'LGX_ERR_VALIDATION_INVALID']);
    expect((await fetch(`${h.url}/v1/health/live`)).status).toBe(200);
  });
});
