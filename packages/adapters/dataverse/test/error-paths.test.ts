/**
 * Every way a Dataverse call can fail, against the simulator on 127.0.0.1: each is classified so the
 * runtime retries, waits, or stops as it should; nothing accepted is lost; the citizen's personal
 * data is in no error message and no log line.
 */
import { startDataverseSimulator, type DataverseSimulator } from '../src/testing';
import { caseFixture, caseTx, dataverse, rejection, signal } from './helpers';

let sim: DataverseSimulator;
beforeAll(async () => {
  sim = await startDataverseSimulator({ serviceProtection: null });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const patches = () => sim.requests.filter((r) => r.method === 'PATCH');
/** The person in the phone-enquiry fixture, as a vendor's error might repeat them. */
const PERSON = ['Alex Example', '07700 900456'];

describe('auth', () => {
  it('a 401 that a new token does not cure is auth, after exactly one new token; the secret is in no message', async () => {
    const { a } = await dataverse(sim);
    await a.check!({ signal: signal() });
    sim.faults.failNext(2, { status: 401, body: { error: { code: '0x80044151', message: 'ExpiredAuthTicket' } } });
    const error = await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }));
    expect(error).toMatchObject({ classification: 'auth', status: 401 });
    expect(sim.entra.issued()).toBe(2);
    expect(error.message).not.toContain(sim.clientSecret);
    expect(sim.state.incidents.size).toBe(0);
  });

  it('403 PrivilegeDenied (the application user lacks a role) is auth, with the vendor code, and is not retried', async () => {
    const { a } = await dataverse(sim);
    await a.check!({ signal: signal() });
    sim.faults.failNext(1, {
      status: 403,
      body: {
        error: {
          code: '0x80040220',
          message: "Principal user (Id=6f1d…) is missing prvCreateIncident privilege (Id=…) on OTC=112 for entity 'incident'.",
        },
      },
    });
    const error = await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }));
    expect(error).toMatchObject({ classification: 'auth', status: 403, vendorCode: '0x80040220' });
    expect(error.message).toContain('prvCreateIncident');
    expect(patches()).toHaveLength(1);
  });
});

describe('throttling and outages', () => {
  it('429 with Retry-After on a status read and on a poll is rate limited for that long', async () => {
    const { a } = await dataverse(sim);
    const { externalRef } = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
    sim.faults.failNext(1, {
      status: 429,
      body: { error: { code: '0x80072322', message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.' } },
      headers: { 'retry-after': '7' },
    });
    expect(await rejection(a.getStatus!(externalRef, { signal: signal() }))).toMatchObject({
      classification: 'rateLimited',
      retryAfterMs: 7000,
    });
    const first = await a.pollUpdates!(undefined, { signal: signal() });
    sim.faults.failNext(1, {
      status: 429,
      body: { error: { code: '0x80072321', message: 'Combined execution time of incoming requests exceeded limit.' } },
      headers: { 'retry-after': '120' },
    });
    expect(await rejection(a.pollUpdates!(first.cursor, { signal: signal() }))).toMatchObject({
      classification: 'rateLimited',
      retryAfterMs: 120_000,
    });
  });

  it('the simulator enforcing the request limit: its 429 carries Retry-After and the error carries that wait for the runtime', async () => {
    const { a } = await dataverse(sim);
    await a.check!({ signal: signal() });
    sim.setServiceProtection({ requests: 1, windowMs: 60_000 });
    try {
      await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
      const limited = await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }));
      expect(limited).toMatchObject({ classification: 'rateLimited', status: 429, vendorCode: '0x80072322' });
      expect(limited.retryAfterMs).toBeGreaterThan(0);
      expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000);
    } finally {
      sim.setServiceProtection(null);
    }
  });

  it('500 and 503 are retryable, and the next attempt makes the case once', async () => {
    const { a } = await dataverse(sim);
    await a.check!({ signal: signal() });
    const t = caseTx(caseFixture('anonymous-staff-case'));
    sim.faults.failNext(1, { status: 500, body: { error: { code: '0x80040216', message: 'An unexpected error occurred.' } } });
    expect((await rejection(a.submit!(t, { signal: signal() }))).classification).toBe('retryable');
    sim.faults.failNext(1, { status: 503, body: 'Service Unavailable' });
    expect((await rejection(a.submit!(t, { signal: signal(), attempt: 2 }))).classification).toBe('retryable');
    const receipt = await a.submit!(t, { signal: signal(), attempt: 3 });
    expect(sim.incidentByKey(t.id)?.incidentid).toBe(receipt.externalRef);
    expect(sim.state.incidents.size).toBe(1);
  });
});

describe('malformed answers', () => {
  it('a create answered with a body that is not JSON, or a row without its id, is retryable and loses nothing', async () => {
    const { a } = await dataverse(sim);
    await a.check!({ signal: signal() });
    const t = caseTx(caseFixture('anonymous-staff-case'));
    sim.faults.failNext(1, { malformed: true });
    expect(await rejection(a.submit!(t, { signal: signal() }))).toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
    sim.faults.failNext(1, { malformed: true, body: '[1, 2, 3]' });
    expect(await rejection(a.submit!(t, { signal: signal(), attempt: 2 }))).toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
    const receipt = await a.submit!(t, { signal: signal(), attempt: 3 });
    expect(receipt.externalRef).toBe(sim.incidentByKey(t.id)?.incidentid);
  });

  it('a poll page without its value array fails the poll, and the same cursor reads the change next time', async () => {
    const { a } = await dataverse(sim);
    const { externalRef } = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
    const first = await a.pollUpdates!(undefined, { signal: signal() });
    sim.resolve(externalRef);
    sim.faults.failNext(1, { malformed: true, body: '{"@odata.context":"x","rows":[]}' });
    expect(await rejection(a.pollUpdates!(first.cursor, { signal: signal() }))).toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
    const again = await a.pollUpdates!(first.cursor, { signal: signal() });
    expect(again.updates.map((u) => [u.externalRef, u.status])).toEqual([[externalRef, 'fixed']]);
  });

  it('a status read answered with a list instead of a row is retryable, not an invented status', async () => {
    const { a } = await dataverse(sim);
    const { externalRef } = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
    sim.faults.failNext(1, { malformed: true, body: '[]' });
    expect(await rejection(a.getStatus!(externalRef, { signal: signal() }))).toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
  });
});

describe('repeats', () => {
  it('the same case sent twice at once makes one row, and both answers name it', async () => {
    const { a } = await dataverse(sim);
    await a.check!({ signal: signal() });
    const t = caseTx(caseFixture('anonymous-staff-case'));
    const [one, two] = await Promise.all([a.submit!(t, { signal: signal() }), a.submit!(structuredClone(t), { signal: signal() })]);
    expect(one.externalRef).toBe(two.externalRef);
    expect(sim.state.incidents.size).toBe(1);
  });
});

describe('abort', () => {
  it('getStatus and pollUpdates give up when the caller aborts, as submit does', async () => {
    const { a } = await dataverse(sim);
    await a.pollUpdates!(undefined, { signal: signal() });
    sim.faults.latency(700);
    try {
      for (const call of [
        () => a.getStatus!('00000000-0000-4000-8000-000000000001', { signal: AbortSignal.timeout(100) }),
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
  it('is in no error message and no log line when Dataverse repeats the contact it was sent', async () => {
    const { a, logs } = await dataverse(sim);
    await a.check!({ signal: signal() });
    const t = caseTx(caseFixture('phone-enquiry-new-person'));
    sim.faults.failNext(1, {
      status: 400,
      body: { error: { code: '0x80040237', message: `A record for contact ${PERSON[0]} (mobilephone ${PERSON[1]}) could not be saved.` } },
    });
    const error = await rejection(a.submit!(t, { signal: signal() }));
    expect(error.classification).toBe('permanent');
    await a.submit!(t, { signal: signal(), attempt: 2 });
    const seen = JSON.stringify([error.message, error.details ?? null, logs]);
    for (const value of PERSON) expect(seen).not.toContain(value);
    expect(logs.length).toBeGreaterThan(0);
  });
});
