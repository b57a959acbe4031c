/**
 * Every way a Salesforce call can fail, against the simulated org on 127.0.0.1: each is classified so
 * the runtime retries, waits, or stops as it should; nothing accepted is lost; the citizen's personal
 * data is in no error message and no log line.
 */
import { startSalesforceSimulator, type SalesforceSimulator } from '../src/testing';
import { caseFixture, caseTx, rejection, salesforce, signal } from './helpers';

let sim: SalesforceSimulator;
beforeAll(async () => {
  sim = await startSalesforceSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const composites = () => sim.requests.filter((r) => r.path.endsWith('/composite'));
/** The person in the phone-enquiry fixture, as a vendor's error might repeat them. */
const PERSON = ['Alex Example', '07700 900456'];

describe('auth', () => {
  it('403 INSUFFICIENT_ACCESS (the integration user lacks a permission) is auth, not a rate limit, and is not retried', async () => {
    const { a } = await salesforce(sim);
    await a.check!({ signal: signal() });
    sim.faults.failNext(1, {
      status: 403,
      body: [{ message: 'insufficient access rights on object id', errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' }],
    });
    const error = await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }));
    expect(error).toMatchObject({ classification: 'auth', status: 403, vendorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' });
    expect(composites()).toHaveLength(1);
  });

  it('a session expired between polls gets a new token once and the poll goes through', async () => {
    const { a } = await salesforce(sim);
    const first = await a.pollUpdates!(undefined, { signal: signal() });
    sim.expireSessions();
    await a.pollUpdates!(first.cursor, { signal: signal() });
    expect(sim.tokensIssued()).toBe(2);
  });
});

describe('throttling and outages', () => {
  it('a 429 with Retry-After (a proxy in front of the org, say) is rate limited for that long', async () => {
    const { a } = await salesforce(sim);
    await a.check!({ signal: signal() });
    sim.faults.failNext(1, { status: 429, body: 'Too Many Requests', headers: { 'retry-after': '30' } });
    expect(await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }))).toMatchObject({
      classification: 'rateLimited',
      retryAfterMs: 30_000,
    });
  });

  it('the daily allocation used up on a status read or a poll is rate limited with the long wait', async () => {
    const { a } = await salesforce(sim, { requestLimitBackoffMinutes: 120 });
    const { externalRef } = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
    const first = await a.pollUpdates!(undefined, { signal: signal() });
    sim.setApiUsage(15_000);
    expect(await rejection(a.getStatus!(externalRef, { signal: signal() }))).toMatchObject({
      classification: 'rateLimited',
      retryAfterMs: 120 * 60_000,
      vendorCode: 'REQUEST_LIMIT_EXCEEDED',
    });
    expect(await rejection(a.pollUpdates!(first.cursor, { signal: signal() }))).toMatchObject({
      classification: 'rateLimited',
      retryAfterMs: 120 * 60_000,
    });
  });

  it('500 and 503 are retryable, and the next attempt makes the Case once', async () => {
    const { a } = await salesforce(sim);
    await a.check!({ signal: signal() });
    const t = caseTx(caseFixture('anonymous-staff-case'));
    sim.faults.failNext(1, {
      status: 500,
      body: [
        {
          message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234-5678',
          errorCode: 'UNKNOWN_EXCEPTION',
        },
      ],
    });
    expect((await rejection(a.submit!(t, { signal: signal() }))).classification).toBe('retryable');
    sim.faults.failNext(1, { status: 503, body: [{ message: 'Server unavailable', errorCode: 'SERVER_UNAVAILABLE' }] });
    expect((await rejection(a.submit!(t, { signal: signal(), attempt: 2 }))).classification).toBe('retryable');
    const receipt = await a.submit!(t, { signal: signal(), attempt: 3 });
    expect(sim.caseByExternalId(t.id)?.Id).toBe(receipt.externalRef);
    expect(sim.state.cases.size).toBe(1);
  });
});

describe('malformed answers', () => {
  it('a composite answered with a body that is not JSON, or without its compositeResponse, is retryable and loses nothing', async () => {
    const { a } = await salesforce(sim);
    await a.check!({ signal: signal() });
    const t = caseTx(caseFixture('anonymous-staff-case'));
    sim.faults.failNext(1, { malformed: true });
    expect(await rejection(a.submit!(t, { signal: signal() }))).toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
    sim.faults.failNext(1, { malformed: true, body: '{"compositeResponse":"ok"}' });
    expect(await rejection(a.submit!(t, { signal: signal(), attempt: 2 }))).toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
    const receipt = await a.submit!(t, { signal: signal(), attempt: 3 });
    expect(receipt.externalRef).toBe(sim.caseByExternalId(t.id)?.Id);
    expect(sim.state.cases.size).toBe(1);
  });

  it('a getUpdated answer without ids fails the poll, and the same cursor reads the change next time', async () => {
    const { a } = await salesforce(sim);
    const first = await a.pollUpdates!(undefined, { signal: signal() });
    const { externalRef } = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
    // The change lands a second after the Case was made, as staff would make it.
    await new Promise((r) => setTimeout(r, 1100));
    sim.setCaseStatus(externalRef, 'Escalated');
    sim.faults.failNext(1, { malformed: true, body: '{"latestDateCovered":"2026-05-12T10:00:00.000+0000"}' });
    expect(await rejection(a.pollUpdates!(first.cursor, { signal: signal() }))).toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
    const again = await a.pollUpdates!(first.cursor, { signal: signal() });
    expect(again.updates.map((u) => [u.externalRef, u.status])).toEqual([[externalRef, 'in_progress']]);
  });

  it('a status read answered without the record Id is retryable, not an invented status', async () => {
    const { a } = await salesforce(sim);
    const { externalRef } = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
    sim.faults.failNext(1, { malformed: true, body: '{"Status":"Closed"}' });
    expect(await rejection(a.getStatus!(externalRef, { signal: signal() }))).toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
  });
});

describe('repeats', () => {
  it('the same case sent twice at once makes one Case, and both answers name it', async () => {
    const { a } = await salesforce(sim);
    await a.check!({ signal: signal() });
    const t = caseTx(caseFixture('anonymous-staff-case'));
    const [one, two] = await Promise.all([a.submit!(t, { signal: signal() }), a.submit!(structuredClone(t), { signal: signal() })]);
    expect(one.externalRef).toBe(two.externalRef);
    expect(sim.state.cases.size).toBe(1);
  });
});

describe('abort', () => {
  it('getStatus and pollUpdates give up when the caller aborts, as submit does', async () => {
    const { a } = await salesforce(sim);
    await a.pollUpdates!(undefined, { signal: signal() });
    sim.faults.latency(700);
    try {
      for (const call of [
        () => a.getStatus!('500000000000000AAA', { signal: AbortSignal.timeout(100) }),
        () => a.pollUpdates!(undefined, { signal: AbortSignal.timeout(100) }),
      ]) {
        const error = await rejection(call());
        expect([error.classification, error.code]).toEqual(['retryable', 'LGX_ERR_TRANSPORT_ABORTED']);
      }
    } finally {
      sim.faults.latency(0);
    }
  });
});

describe('personal data', () => {
  it('is in no error message and no log line when Salesforce repeats what it was sent', async () => {
    const { a, logs } = await salesforce(sim);
    await a.check!({ signal: signal() });
    const t = caseTx(caseFixture('phone-enquiry-new-person'));
    sim.faults.failNext(1, {
      status: 400,
      body: [
        {
          message: `SuppliedName: value '${PERSON[0]}' rejected by a validation rule; SuppliedPhone '${PERSON[1]}'`,
          errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          fields: ['SuppliedName'],
        },
      ],
    });
    const error = await rejection(a.submit!(t, { signal: signal() }));
    expect(error).toMatchObject({ classification: 'permanent', vendorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' });
    await a.submit!(t, { signal: signal(), attempt: 2 });
    const seen = JSON.stringify([error.message, error.details ?? null, logs]);
    for (const value of PERSON) expect(seen).not.toContain(value);
    expect(logs.length).toBeGreaterThan(0);
  });
});
