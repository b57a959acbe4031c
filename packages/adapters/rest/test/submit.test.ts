import { reply, startRestSimulator, type RestSimulator } from '@lgx/testkit';
import { startFieldbookSimulator, type FieldbookSimulator } from '../src/testing';
import type { RestAdapterConfig } from '../src';
import { apiRequests, exampleConfig, fixture, instance, rejection, signal, tx } from './helpers';

let sim: FieldbookSimulator;
/** A plain REST server that answers every request and keeps it, to see exactly what the adapter sends. */
let echo: RestSimulator<{ n: number }>;

beforeAll(async () => {
  sim = await startFieldbookSimulator({ auth: 'bearer' });
  echo = await startRestSimulator({
    name: 'echo',
    state: () => ({ n: 0 }),
    routes: [
      {
        method: 'POST',
        path: '/api/:a/:b',
        handler: (_req, { state }) => reply(201, { id: `E${++state.n}`, state: 'NEW', echo: 'ok' }, { location: '/api/records/E1' }),
      },
      { method: 'PUT', path: '/api/:a/:b', handler: () => reply(200, { id: 'E-PUT' }) },
    ],
  });
});
afterAll(async () => {
  await sim.close();
  await echo.close();
});
beforeEach(() => {
  sim.reset();
  echo.reset();
});

const echoConfig = (submit: Partial<RestAdapterConfig['operations'][string]['submit']>): RestAdapterConfig => ({
  baseUrl: `${echo.url}/api`,
  headers: { 'x-council-system': 'lgx' },
  operations: {
    'crm.case': {
      submit: {
        method: 'POST',
        path: '/cases/{data.caseType}',
        response: '{ "externalRef": id, "externalStatusCode": state }',
        idempotency: { header: 'Idempotency-Key' },
        ...submit,
      },
    },
  },
  statusMap: { NEW: 'for_triage' },
});

describe('requests built from configuration', () => {
  it('fills the path template, the query, header templates and a JSON body from the transaction, with the fixed headers', async () => {
    const { a } = await instance(
      echoConfig({
        path: '/cases/{data.caseType & "/" & data.category}',
        query: '{ "channel": channel, "lgsl": data.lgsl, "tags": ["a", "b"], "none": data.nothing }',
        headers: { 'X-Correlation': 'lgx-{id}', 'X-Council': '{council}' },
        body: '{ "subject": data.subject, "priority": data.priority = "urgent" ? 1 : 3 }',
      }),
    );
    const t = tx('crm.case', fixture('crm.case', 'complaint-from-known-contact'), 'form-77');
    const receipt = await a.submit!(t as never, { signal: signal() });
    const sent = echo.requests[0]!;
    // A slash from the data stays inside its segment.
    expect(sent.path).toBe('/api/cases/complaint%2Fcomplaint.stage1');
    expect(sent.query).toEqual({ channel: 'web', lgsl: '524', tags: ['a', 'b'] });
    expect(sent.headers).toMatchObject({
      'x-correlation': `lgx-${t.id}`,
      'x-council': 'E07000223',
      'x-council-system': 'lgx',
      'idempotency-key': 'form-77',
      'content-type': 'application/json',
    });
    expect(JSON.parse(sent.body)).toEqual({ subject: 'Bins missed three weeks running', priority: 3 });
    expect(receipt).toEqual({ externalRef: 'E1', externalStatusCode: 'NEW', status: 'for_triage' });
  });

  it('sends a form body when bodyType is form', async () => {
    const { a } = await instance(echoConfig({ bodyType: 'form', body: '{ "subject": data.subject, "type": data.caseType }' }));
    await a.submit!(tx('crm.case', fixture('crm.case', 'complaint-from-known-contact')) as never, { signal: signal() });
    expect(echo.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(echo.requests[0]!.body))).toEqual({
      subject: 'Bins missed three weeks running',
      type: 'complaint',
    });
  });

  it('reads the receipt from headers and status too ($headers, $status)', async () => {
    const { a } = await instance(
      echoConfig({
        response: '{ "externalRef": $substringAfter($headers.location, "/records/"), "attributes": { "httpStatus": $status } }',
      }),
    );
    const receipt = await a.submit!(tx('crm.case', fixture('crm.case', 'complaint-from-known-contact')) as never, { signal: signal() });
    expect(receipt).toEqual({ externalRef: 'E1', attributes: { httpStatus: 201 } });
  });

  it("drops a receipt attribute holding the transaction's personal data, with a warning naming it", async () => {
    const { a, logs } = await instance(
      echoConfig({
        response:
          '{ "externalRef": id, "attributes": { "caller": $request.data.contact.person.givenName & " " & $request.data.contact.person.familyName, "kind": $request.data.caseType } }',
      }),
    );
    const receipt = await a.submit!(tx('crm.case', fixture('crm.case', 'phone-enquiry-new-person')) as never, { signal: signal() });
    expect(receipt.attributes).toEqual({ kind: 'general_enquiry' });
    expect(logs.find((e) => e.msg.startsWith('receipt attribute holds personal data'))).toMatchObject({ attribute: 'caller' });
    expect(JSON.stringify(logs)).not.toContain('Alex');
  });

  it('refuses a path placeholder with no text value, or a receipt the schema refuses, as permanent naming the mapping', async () => {
    const { a } = await instance(echoConfig({ path: '/cases/{data.contact}' }));
    const noText = await rejection(
      a.submit!(tx('crm.case', fixture('crm.case', 'complaint-from-known-contact')) as never, { signal: signal() }),
    );
    expect(noText).toMatchObject({ classification: 'permanent', details: { mapping: '/operations/crm.case/submit/path' } });
    expect(echo.requests).toHaveLength(0);

    const { a: b } = await instance(echoConfig({ response: '{ "ref": id }' }));
    const badReceipt = await rejection(
      b.submit!(tx('crm.case', fixture('crm.case', 'complaint-from-known-contact')) as never, { signal: signal() }),
    );
    expect(badReceipt).toMatchObject({ classification: 'permanent', details: { mapping: '/operations/crm.case/submit/response' } });
    expect(badReceipt.message).toContain('externalRef');
  });

  it('names the mapping and the JSONata error code when an expression fails at run time, never the data', async () => {
    const { a } = await instance(echoConfig({ body: '{ "n": $number(data.subject) }' }));
    const error = await rejection(
      a.submit!(tx('crm.case', fixture('crm.case', 'complaint-from-known-contact')) as never, { signal: signal() }),
    );
    expect(error).toMatchObject({
      classification: 'permanent',
      details: { mapping: '/operations/crm.case/submit/body', jsonataCode: expect.any(String) },
    });
    expect(error.message).not.toContain('Bins missed');
    expect(echo.requests).toHaveLength(0);
  });

  it('never changes the transaction, whatever the mapping does', async () => {
    const { a } = await instance(echoConfig({ body: 'data ~> |$|{ "subject": "changed" }, ["contact"]|' }));
    const t = tx('crm.case', fixture('crm.case', 'complaint-from-known-contact'));
    const copy = structuredClone(t);
    await a.submit!(t as never, { signal: signal() });
    expect(t).toEqual(copy);
  });

  it('refuses an idempotency key that would break its header, before sending', async () => {
    const { a } = await instance(echoConfig({ idempotency: { header: 'Idempotency-Key', value: '"a\\nb"' } }));
    const error = await rejection(
      a.submit!(tx('crm.case', fixture('crm.case', 'complaint-from-known-contact')) as never, { signal: signal() }),
    );
    expect(error).toMatchObject({ classification: 'permanent' });
    expect(echo.requests).toHaveLength(0);
  });
});

describe('idempotency (the Fieldbook example)', () => {
  it('sends the idempotency key in the header: the same transaction twice is one request at the back office', async () => {
    const { a } = await instance(exampleConfig(sim, { staticToken: true }));
    const t = tx('waste.missedCollection', fixture('waste.missedCollection', 'recycling-bin-out-not-emptied'), 'missed-form-9');
    const first = await a.submit!(t as never, { signal: signal() });
    const second = await a.submit!(structuredClone(t) as never, { signal: signal(), attempt: 2 });
    expect(second.externalRef).toBe(first.externalRef);
    expect(sim.state.requests.size).toBe(1);
    expect(apiRequests(sim).map((r) => r.headers['idempotency-key'])).toEqual(['missed-form-9', 'missed-form-9']);
  });

  it('looks up before creating when configured so: a repeat is answered from the look-up, with no second POST', async () => {
    const { a, logs } = await instance(exampleConfig(sim, { staticToken: true }));
    const t = tx('street.report', fixture('street.report', 'pothole-with-coordinates'));
    const first = await a.submit!(t as never, { signal: signal() });
    const second = await a.submit!(structuredClone(t) as never, { signal: signal(), attempt: 2 });
    expect(second).toMatchObject({ externalRef: first.externalRef, status: 'open', externalStatusCode: 'received' });
    expect(apiRequests(sim).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/requests', 'POST /v2/requests', 'GET /v2/requests']);
    expect(apiRequests(sim)[0]!.query).toEqual({ clientReference: t.id });
    expect(logs.some((e) => e.msg === 'record already in the back office for this transaction')).toBe(true);
  });

  it('after an answer lost on the way back, the retry makes no second record (header and look-up alike)', async () => {
    const { a } = await instance(exampleConfig(sim, { staticToken: true }));
    for (const [type, name] of [
      ['waste.missedCollection', 'recycling-bin-out-not-emptied'],
      ['street.report', 'street-light-by-asset'],
    ] as const) {
      sim.reset();
      const t = tx(type, fixture(type, name));
      sim.loseNextCreates(1);
      await expect(a.submit!(t as never, { signal: signal(400) })).rejects.toMatchObject({ classification: 'retryable' });
      const receipt = await a.submit!(structuredClone(t) as never, { signal: signal(), attempt: 2 });
      expect(sim.state.requests.size).toBe(1);
      expect(receipt.externalRef).toBe([...sim.state.requests.keys()][0]);
    }
  });

  it('maps the canonical data onto the Fieldbook request as the example says', async () => {
    const { a } = await instance(exampleConfig(sim, { staticToken: true }));
    const t = tx('street.report', fixture('street.report', 'fly-tipping-at-address'));
    await a.submit!(t as never, { signal: signal() });
    const [request] = [...sim.state.requests.values()];
    expect(request!.body).toEqual({
      category: 'FLY_TIP',
      description: 'Two mattresses and a fridge dumped in the service road behind the shops.',
      location: { address: '12-18, Mill Road, Cambridge, CB1 2AD' },
      clientReference: t.id,
    });
  });
});
