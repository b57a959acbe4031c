import { startAlloySimulator, ENQUIRY, MISSED, OPTIONS, REPORT, type AlloySimulator } from '../src/testing';
import { attributesOf, bodies, fixture, instance, rejection, signal, tx } from './helpers';

let sim: AlloySimulator;
beforeAll(async () => {
  sim = await startAlloySimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const created = () => bodies(sim, 'POST', '/api/item');

describe('submit', () => {
  it('creates the item in the design, attribute by attribute, with the LGX id and a [lon, lat] point, and returns a receipt without personal data', async () => {
    const { a } = await instance(sim);
    const t = tx('street.report', fixture('street.report', 'pothole-with-coordinates'));
    const receipt = await a.submit!(t as never, { signal: signal() });

    const sent = sim.requests.find((r) => r.method === 'POST' && r.path === '/api/item')!;
    expect(sent.headers.authorization).toBe(`Bearer ${sim.apiKey}`);
    const body = created()[0]!;
    expect(body.designCode).toBe(REPORT.design);
    expect(attributesOf(body)).toEqual({
      [REPORT.lgxId]: t.id,
      attributes_itemsTitle: 'Deep pothole by the bus stop',
      [REPORT.summary]: 'Deep pothole by the bus stop',
      [REPORT.explanation]: 'A pothole about 30cm across and 10cm deep in the nearside lane, just before the bus stop.',
      [REPORT.category]: [OPTIONS.category.carriageway.itemId],
      [REPORT.reportedAt]: t.time,
      [REPORT.status]: [OPTIONS.reportStatus.reported.itemId],
      [REPORT.usrn]: '8400709',
      [REPORT.location]: 'Nearside lane, 20m before the bus stop',
      [REPORT.hazard]: true,
      [REPORT.reporterName]: 'Alex Example',
      [REPORT.reporterEmail]: 'alex.example@example.com',
      attributes_itemsGeometry: { type: 'Point', coordinates: [0.1218, 52.2053] },
    });
    const item = sim.item(receipt.externalRef);
    expect(receipt).toEqual({
      externalRef: item.itemId,
      status: 'open',
      externalStatusCode: OPTIONS.reportStatus.reported.itemId,
      acceptedAt: expect.any(String),
    });
    expect(JSON.stringify(receipt)).not.toMatch(/Alex|example\.com/);
  });

  it('writes an address on one line and leaves out what the transaction does not have (no geometry without WGS84)', async () => {
    const { a } = await instance(sim);
    await a.submit!(tx('street.report', fixture('street.report', 'fly-tipping-at-address')) as never, { signal: signal() });
    const attributes = attributesOf(created()[0]!);
    expect(attributes[REPORT.location]).toBe('12-18, Mill Road, Cambridge, CB1 2AD');
    expect(attributes[REPORT.category]).toEqual([OPTIONS.category.flyTipping.itemId]);
    expect(attributes).not.toHaveProperty('attributes_itemsGeometry');
    expect(attributes).not.toHaveProperty(REPORT.reporterName);
  });

  it('maps a missed bin and a CRM case onto their own designs', async () => {
    const { a } = await instance(sim);
    await a.submit!(tx('waste.missedCollection', fixture('waste.missedCollection', 'recycling-bin-out-not-emptied')) as never, {
      signal: signal(),
    });
    await a.submit!(tx('crm.case', fixture('crm.case', 'complaint-from-known-contact')) as never, { signal: signal() });
    const [missed, enquiry] = created();
    expect(missed!.designCode).toBe(MISSED.design);
    expect(attributesOf(missed!)).toMatchObject({
      [MISSED.uprn]: '100090215480',
      [MISSED.service]: [OPTIONS.wasteService.recycling.itemId],
      [MISSED.scheduledDate]: '2026-11-17',
      [MISSED.presented]: true,
    });
    expect(attributesOf(missed!)).not.toHaveProperty('attributes_itemsGeometry');
    expect(enquiry!.designCode).toBe(ENQUIRY.design);
    expect(attributesOf(enquiry!)).toMatchObject({
      [ENQUIRY.subject]: 'Bins missed three weeks running',
      [ENQUIRY.enquiryType]: 'complaint.stage1',
      [ENQUIRY.uprn]: '100090123456',
      [ENQUIRY.priority]: 'normal',
    });
  });

  it('sends the key as ?token= when configured so, and no Authorization header', async () => {
    const { a } = await instance(sim, (c) => ({ ...c, keyIn: 'query' }));
    await a.submit!(tx('street.report', fixture('street.report', 'street-light-by-asset')) as never, { signal: signal() });
    for (const r of sim.requests) {
      expect(r.query.token).toBe(sim.apiKey);
      expect(r.headers.authorization).toBeUndefined();
    }
  });

  it('looks for the transaction in Alloy before creating: the same transaction twice is one item', async () => {
    const { a, logs } = await instance(sim);
    const t = tx('street.report', fixture('street.report', 'street-light-by-asset'));
    const first = await a.submit!(t as never, { signal: signal() });
    const second = await a.submit!(structuredClone(t) as never, { signal: signal(), attempt: 2 });
    expect(second.externalRef).toBe(first.externalRef);
    expect(sim.state.items.size).toBe(1);
    expect(created()).toHaveLength(1);
    const lookups = bodies(sim, 'POST', '/api/aqs/query');
    expect(lookups).toHaveLength(2);
    expect(JSON.stringify(lookups[1])).toContain(t.id);
    expect(logs.some((e) => e.msg === 'item already in Alloy for this transaction')).toBe(true);
  });

  it('after an answer lost on the way back, the next attempt finds the item instead of making a second', async () => {
    const { a } = await instance(sim);
    const t = tx('crm.case', fixture('crm.case', 'anonymous-staff-case'));
    sim.loseNextCreates(1);
    const lost = await rejection(a.submit!(t as never, { signal: signal(400) }));
    expect(lost.classification).toBe('retryable');
    expect(sim.state.items.size).toBe(1);
    const receipt = await a.submit!(structuredClone(t) as never, { signal: signal(), attempt: 2 });
    expect(receipt.externalRef).toBe([...sim.state.items.keys()][0]);
    expect(sim.state.items.size).toBe(1);
    expect(created()).toHaveLength(1);
  });

  it('never changes the transaction it was given', async () => {
    const { a } = await instance(sim);
    const t = tx('street.report', fixture('street.report', 'pothole-with-coordinates'));
    const copy = structuredClone(t);
    await a.submit!(t as never, { signal: signal() });
    expect(t).toEqual(copy);
  });
});

describe('attachments', () => {
  it('uploads inline files and links them to the item with its signature; a file by URL is not fetched', async () => {
    const { a } = await instance(sim);
    const receipt = await a.submit!(tx('street.report', fixture('street.report', 'fly-tipping-at-address')) as never, { signal: signal() });
    const upload = sim.requests.find((r) => r.path === '/api/file')!;
    expect(upload.headers['content-type']).toBe('image/png');
    expect(upload.headers['content-disposition']).toBe('attachment; filename="tip.png"');
    const [fileId] = [...sim.state.files.keys()];
    expect(sim.item(receipt.externalRef).attributes[REPORT.attachments]).toEqual([fileId]);

    sim.reset();
    await a.submit!(tx('street.report', fixture('street.report', 'pothole-with-coordinates')) as never, { signal: signal() });
    expect(sim.requests.filter((r) => r.path === '/api/file' || r.method === 'PUT')).toHaveLength(0);
  });

  it('meets a stale signature by reading the item again and linking once more', async () => {
    const { a, logs } = await instance(sim);
    sim.editBeforeNextUpdates(1);
    const receipt = await a.submit!(tx('street.report', fixture('street.report', 'fly-tipping-at-address')) as never, { signal: signal() });
    const puts = sim.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(2);
    expect(sim.requests.filter((r) => r.method === 'GET' && r.path === `/api/item/${receipt.externalRef}`)).toHaveLength(1);
    expect(sim.item(receipt.externalRef).attributes[REPORT.attachments]).toHaveLength(1);
    expect(logs.some((e) => e.msg.startsWith('item edited in Alloy since it was read'))).toBe(true);
  });

  it('retries once only: a second stale signature fails retryable, and the next attempt finds the item and links the files', async () => {
    const { a } = await instance(sim);
    const t = tx('crm.case', fixture('crm.case', 'phone-enquiry-new-person'));
    sim.editBeforeNextUpdates(2);
    const error = await rejection(a.submit!(t as never, { signal: signal() }));
    expect(error).toMatchObject({ classification: 'retryable', vendorCode: 'ItemSignatureMismatch' });
    expect(sim.requests.filter((r) => r.method === 'PUT')).toHaveLength(2);
    const receipt = await a.submit!(structuredClone(t) as never, { signal: signal(), attempt: 2 });
    expect(sim.state.items.size).toBe(1);
    expect(sim.item(receipt.externalRef).attributes[ENQUIRY.attachments]).toHaveLength(1);
  });
});

describe('mapping problems', () => {
  it('refuses, as permanent and before any request, a value the mapping has no entry for, naming the mapping', async () => {
    const { a } = await instance(sim, (c) => {
      const report = c.types['street.report']!;
      const category = report.attributes[REPORT.category] as { map: Record<string, string> };
      delete category.map.street_light;
      return c;
    });
    const error = await rejection(
      a.submit!(tx('street.report', fixture('street.report', 'street-light-by-asset')) as never, { signal: signal() }),
    );
    expect(error).toMatchObject({
      classification: 'permanent',
      details: { mapping: `/types/street.report/attributes/${REPORT.category}` },
    });
    expect(error.message).toContain('has no entry for the value');
    expect(sim.requests).toHaveLength(0);
  });

  it('refuses a transaction without coordinates when the design requires a geometry', async () => {
    const { a } = await instance(sim, (c) => ({
      ...c,
      types: { ...c.types, 'street.report': { ...c.types['street.report']!, geometry: { required: true } } },
    }));
    const error = await rejection(
      a.submit!(tx('street.report', fixture('street.report', 'street-light-by-asset')) as never, { signal: signal() }),
    );
    expect(error).toMatchObject({ classification: 'permanent', details: { mapping: '/types/street.report/geometry' } });
    expect(sim.requests).toHaveLength(0);
  });

  it('cuts text to maxLength rather than have Alloy refuse it', async () => {
    const { a } = await instance(sim);
    const data = fixture<Record<string, unknown>>('street.report', 'street-light-by-asset');
    data.description = 'x'.repeat(4000);
    await a.submit!(tx('street.report', data) as never, { signal: signal() });
    const summary = attributesOf(created()[0]!)[REPORT.summary] as string;
    expect(summary).toHaveLength(255);
    expect(summary.endsWith('…')).toBe(true);
  });
});

describe('errors', () => {
  it("keeps the citizen's data out of an error even when Alloy's explanation quotes it", async () => {
    // Without the mapping's maxLength, a long name reaches Alloy, which refuses it quoting the value.
    const { a, logs } = await instance(sim, (c) => {
      delete (c.types['street.report']!.attributes[REPORT.reporterName] as { maxLength?: number }).maxLength;
      return c;
    });
    const data = fixture<{ requester: { person: Record<string, string> } }>('street.report', 'pothole-with-coordinates');
    data.requester.person.givenName = `Alexandra${'x'.repeat(91)}`;
    data.requester.person.familyName = `Example${'y'.repeat(93)}`;
    const error = await rejection(a.submit!(tx('street.report', data) as never, { signal: signal() }));
    expect(error).toMatchObject({ classification: 'permanent', status: 400, vendorCode: 'InvalidAttributeValue' });
    expect(error.message).toContain(REPORT.reporterName);
    expect(error.message).not.toContain('Alexandra');
    expect(JSON.stringify(logs)).not.toContain('Alexandra');
    expect(error.cause).toBeUndefined();
  });

  it('classifies a refused key as auth, without the key in the message', async () => {
    const { a } = await instance(sim);
    const key = sim.apiKey;
    sim.setApiKey('alloy-rotated-key-111111111111');
    try {
      const error = await rejection(
        a.submit!(tx('street.report', fixture('street.report', 'street-light-by-asset')) as never, { signal: signal() }),
      );
      expect(error).toMatchObject({ classification: 'auth', status: 401, vendorCode: 'InvalidApiKey' });
      expect(error.message).not.toContain(key);
    } finally {
      sim.setApiKey(key);
    }
  });

  it('classifies a rate limit as rateLimited with the Retry-After delay', async () => {
    const { a } = await instance(sim);
    sim.faults.failNext(1, {
      status: 429,
      headers: { 'retry-after': '7' },
      body: { errorCode: 1002, errorCodeString: 'TooManyRequests', debugErrorMessage: 'Rate limit exceeded' },
    });
    const error = await rejection(
      a.submit!(tx('street.report', fixture('street.report', 'street-light-by-asset')) as never, { signal: signal() }),
    );
    expect(error).toMatchObject({ classification: 'rateLimited', status: 429, retryAfterMs: 7000, vendorCode: 'TooManyRequests' });
  });

  it('refuses a type it is not configured for as unsupported', async () => {
    const { a } = await instance(sim, (c) => ({ ...c, types: { 'crm.case': c.types['crm.case']! } }));
    const error = await rejection(
      a.submit!(tx('street.report', fixture('street.report', 'street-light-by-asset')) as never, { signal: signal() }),
    );
    expect(error).toMatchObject({ classification: 'unsupported' });
    expect(sim.requests).toHaveLength(0);
  });

  it('treats an answer that is not what Alloy promises as retryable (the look-up makes the retry safe)', async () => {
    const { a } = await instance(sim);
    sim.faults.failNext(1, { malformed: true, body: '{"page": 1}' });
    const error = await rejection(
      a.submit!(tx('street.report', fixture('street.report', 'street-light-by-asset')) as never, { signal: signal() }),
    );
    expect(error).toMatchObject({ classification: 'retryable', code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE' });
    expect(sim.state.items.size).toBe(0);
  });
});
