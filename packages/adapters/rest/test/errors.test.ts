import { startFieldbookSimulator, type FieldbookSimulator } from '../src/testing';
import type { RestAdapterConfig } from '../src';
import { exampleConfig, fixture, instance, rejection, signal, tx } from './helpers';

let sim: FieldbookSimulator;
beforeAll(async () => {
  sim = await startFieldbookSimulator({ auth: 'bearer' });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const missed = () => tx('waste.missedCollection', fixture('waste.missedCollection', 'recycling-bin-out-not-emptied'));
const config = (change: (c: RestAdapterConfig) => void = () => undefined) => {
  const c = exampleConfig(sim, { staticToken: true });
  change(c);
  return c;
};

describe('error rules (the Fieldbook example)', () => {
  it('turns a 200 that is really a refusal into a permanent error with the reason as vendor code', async () => {
    const { a } = await instance(config());
    const data = fixture<Record<string, unknown>>('street.report', 'street-light-by-asset');
    data.kind = 'other';
    const error = await rejection(a.submit!(tx('street.report', data) as never, { signal: signal() }));
    expect(error).toMatchObject({
      classification: 'permanent',
      status: 200,
      vendorCode: 'CATEGORY_CLOSED',
      details: { rule: '/errorRules/0' },
    });
    expect(error.message).toContain('error rule /errorRules/0 classifies permanent');
  });

  it('reads the wait from the body for maintenance (503, no Retry-After), as rateLimited', async () => {
    const { a } = await instance(config());
    sim.startMaintenance(300);
    const error = await rejection(a.submit!(missed() as never, { signal: signal() }));
    expect(error).toMatchObject({ classification: 'rateLimited', status: 503, retryAfterMs: 300_000, vendorCode: 'MAINTENANCE' });
  });

  it('limits a rule to the calls it names: 423 while a record is edited is retryable for getStatus', async () => {
    const { a } = await instance(config());
    const ref = (await a.submit!(missed() as never, { signal: signal() })).externalRef;
    sim.lock(ref);
    await expect(a.getStatus!(ref, { signal: signal() })).rejects.toMatchObject({
      classification: 'retryable',
      status: 423,
      vendorCode: 'RECORD_LOCKED',
    });
    sim.lock(ref, false);
    await expect(a.getStatus!(ref, { signal: signal() })).resolves.toMatchObject({ externalRef: ref });
  });

  it('checks rules in order, by status class and body, and leaves unmatched answers to the built-in classification', async () => {
    const { a } = await instance(
      config((c) => {
        c.errorRules = [
          {
            status: '4xx',
            when: 'error.code = "VALIDATION_FAILED" and error.field = "location.uprn"',
            classification: 'notFound',
            vendorCode: '"UNKNOWN_PROPERTY"',
          },
          { status: [409, 418], classification: 'retryable' },
        ];
      }),
    );
    sim.faults.failNext(1, {
      status: 422,
      body: { error: { code: 'VALIDATION_FAILED', message: 'location.uprn is not in the gazetteer', field: 'location.uprn' } },
    });
    await expect(a.submit!(missed() as never, { signal: signal() })).rejects.toMatchObject({
      classification: 'notFound',
      vendorCode: 'UNKNOWN_PROPERTY',
      status: 422,
    });
    sim.faults.failNext(1, { status: 418, body: { error: { code: 'TEAPOT', message: 'no' } } });
    await expect(a.submit!(missed() as never, { signal: signal() })).rejects.toMatchObject({ classification: 'retryable', status: 418 });
    sim.faults.failNext(1, {
      status: 422,
      body: { error: { code: 'VALIDATION_FAILED', message: 'description is required', field: 'description' } },
    });
    await expect(a.submit!(missed() as never, { signal: signal() })).rejects.toMatchObject({
      classification: 'permanent',
      vendorCode: 'VALIDATION_FAILED',
      status: 422,
    });
  });

  it('never lets a rule make a 401 anything but auth', async () => {
    const { a } = await instance(config((c) => (c.errorRules = [{ status: '4xx', classification: 'retryable' }])));
    sim.faults.failNext(1, { status: 401, body: { error: { code: 'UNAUTHORISED', message: 'expired' } } });
    await expect(a.submit!(missed() as never, { signal: signal() })).rejects.toMatchObject({ classification: 'auth', status: 401 });
  });

  it('takes the vendor code from a configured expression', async () => {
    const { a } = await instance(config((c) => (c.vendorCode = '"FB-" & error.code')));
    sim.faults.failNext(1, { status: 500, body: { error: { code: 'DB_DOWN', message: 'database unavailable' } } });
    await expect(a.submit!(missed() as never, { signal: signal() })).rejects.toMatchObject({
      classification: 'retryable',
      vendorCode: 'FB-DB_DOWN',
    });
  });
});

describe('built-in classification', () => {
  it.each([
    [500, 'retryable'],
    [503, 'retryable'],
    [429, 'rateLimited'],
    [403, 'auth'],
    [404, 'notFound'],
    [409, 'permanent'],
    [422, 'permanent'],
    [302, 'permanent'],
  ])('classifies %i as %s, keeping the vendor code from the error body', async (status, classification) => {
    const { a } = await instance(config());
    sim.faults.failNext(1, {
      status,
      body: { error: { code: 'SOMETHING', message: 'simulated' } },
      headers: status === 429 ? { 'retry-after': '9' } : {},
    });
    const error = await rejection(a.submit!(missed() as never, { signal: signal() }));
    expect(error).toMatchObject({ classification, status, vendorCode: 'SOMETHING', ...(status === 429 ? { retryAfterMs: 9000 } : {}) });
  });

  it("keeps the citizen's data out of an error even when the back office's message quotes it", async () => {
    const { a, logs } = await instance(config());
    sim.faults.failNext(1, {
      status: 422,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'reporter Alex Example (alex.example@example.com, 07700 900123) is on the blocked list',
        },
      },
    });
    const error = await rejection(a.submit!(missed() as never, { signal: signal() }));
    expect(error).toMatchObject({ classification: 'permanent', vendorCode: 'VALIDATION_FAILED' });
    for (const text of [error.message, JSON.stringify(error), JSON.stringify(logs)]) {
      expect(text).not.toMatch(/Alex|Example|alex\.example|900123/);
    }
  });

  it('treats an answer that is not what the mapping expects as permanent, naming the mapping', async () => {
    const { a } = await instance(config());
    sim.faults.failNext(1, { malformed: true, body: '{"unexpected": true}' });
    const error = await rejection(a.submit!(missed() as never, { signal: signal() }));
    expect(error).toMatchObject({
      classification: 'permanent',
      details: { mapping: '/operations/waste.missedCollection/submit/response' },
    });
  });
});
