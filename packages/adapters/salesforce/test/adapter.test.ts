import { createPrivateKey } from 'node:crypto';
import { instantiateAdapter } from '@lgx/core/host';
import { salesforceSimulatorConfig, startSalesforceSimulator, type SalesforceSimulator } from '../src/testing';
import adapter, { configSchema } from '../src';
import { externalIdOf } from '../src/adapter';
import { FIXTURE_CONTACT, caseFixture, caseTx, rejection, salesforce, salesforceConfig, signal } from './helpers';

let sim: SalesforceSimulator;
beforeAll(async () => {
  sim = await startSalesforceSimulator({
    contacts: [{ Id: '003000000000001AAA', ...FIXTURE_CONTACT }],
    customFields: ['LGX_UPRN__c', 'LGX_LGSL__c', 'Callback__c'],
  });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const composites = () => sim.requests.filter((r) => r.path.endsWith('/composite'));

describe('tokens', () => {
  it('JWT bearer: a fresh RS256 assertion for the configured user, and every API call to the instance_url the answer names', async () => {
    const { a } = await salesforce(sim);
    await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
    const login = sim.login.requests[0]!;
    const form = new URLSearchParams(login.body);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [head, claims] = form
      .get('assertion')!
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    expect(head).toEqual({ alg: 'RS256' });
    expect(claims).toEqual({ iss: sim.clientId, sub: sim.username, aud: sim.loginUrl, exp: expect.any(Number) });
    expect(claims!.exp as number).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 180);
    // The login host serves no API: the case went to the instance.
    expect(sim.login.requests).toHaveLength(1);
    expect(composites()).toHaveLength(1);
    expect(composites()[0]!.headers.authorization).toMatch(/^Bearer 00D/);
  });

  it('client credentials against My Domain', async () => {
    const { a } = await salesforce(sim, { ...salesforceSimulatorConfig(sim, 'client-credentials') });
    await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
    const token = sim.requests.find((r) => r.path === '/services/oauth2/token')!;
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    });
    expect(sim.login.requests).toHaveLength(0);
  });

  it('refuses a config without the secrets its flow needs, or a private key that is not one, naming the field and never the key', async () => {
    const missing = await rejection(instantiateAdapter(adapter, salesforceConfig(sim, { privateKey: undefined })));
    expect([missing.code, missing.message]).toEqual(['LGX_ERR_ADAPTER_CONFIG_INVALID', expect.stringContaining('privateKey')]);
    const garbage = await rejection(instantiateAdapter(adapter, salesforceConfig(sim, { privateKey: 'not-a-key-but-secret-text' })));
    expect([garbage.code, garbage.message]).toEqual([
      'LGX_ERR_ADAPTER_CONFIG_INVALID',
      'salesforce adapter config /privateKey is not a PEM private key',
    ]);
    expect(configSchema.properties.privateKey['x-lgx-secret']).toBe(true);
    expect(configSchema.properties.clientSecret['x-lgx-secret']).toBe(true);
  });
});

describe('submit', () => {
  it('upserts the Case by external id and reads it back in one composite call; the receipt has the case number and no personal data', async () => {
    const { a } = await salesforce(sim);
    const t = caseTx(caseFixture('phone-enquiry-new-person'));
    const receipt = await a.submit!(t, { signal: signal() });
    const sent = JSON.parse(composites()[0]!.body) as {
      allOrNone: boolean;
      compositeRequest: Array<{ method: string; url: string; body?: unknown }>;
    };
    expect(sent.compositeRequest.map((r) => [r.method, r.url])).toEqual([
      ['PATCH', `/services/data/v61.0/sobjects/Case/LGX_Transaction_Id__c/${t.id}`],
      [
        'GET',
        `/services/data/v61.0/sobjects/Case/LGX_Transaction_Id__c/${t.id}?fields=Id,CaseNumber,Status,IsClosed,CreatedDate,SystemModstamp,LGX_Transaction_Id__c`,
      ],
    ]);
    expect(sent.compositeRequest[0]!.body).toEqual({
      Subject: 'Question about a letter received',
      Description: 'Caller received a letter about a tree on the boundary and wants to know who to speak to.',
      Priority: 'Low',
      Origin: 'Phone',
      SuppliedName: 'Alex Example',
      SuppliedPhone: '07700 900456',
    });
    const made = sim.caseByExternalId(t.id)!;
    expect(receipt).toEqual({
      externalRef: made.Id,
      status: 'open',
      externalStatusCode: 'New',
      acceptedAt: new Date(Date.parse(made.CreatedDate as string)).toISOString(),
      url: `${sim.url}/lightning/r/Case/${made.Id as string}/view`,
      attributes: { caseNumber: made.CaseNumber },
    });
    expect(sim.requests.filter((r) => r.path.startsWith('/services/data/'))).toHaveLength(1);
  });

  it('relates a contactRef that is not a Contact id through the Contact external id field; without one it refuses before sending', async () => {
    const { a } = await salesforce(sim);
    const receipt = await a.submit!(caseTx(caseFixture('complaint-from-known-contact')), { signal: signal() });
    expect(sim.case(receipt.externalRef).ContactId).toBe('003000000000001AAA');
    const { a: plain } = await salesforce(sim, { contactExternalIdField: undefined });
    const refused = await rejection(plain.submit!(caseTx(caseFixture('complaint-from-known-contact')), { signal: signal() }));
    expect([refused.classification, refused.message]).toEqual(['permanent', expect.stringContaining('/contact/contactRef')]);
    const direct = await plain.submit!(
      caseTx({ ...caseFixture('complaint-from-known-contact'), contact: { contactRef: '003000000000001AAA' } }),
      { signal: signal() },
    );
    expect(sim.case(direct.externalRef).ContactId).toBe('003000000000001AAA');
  });

  it("maps to the org's fields and picklist values", async () => {
    const { a } = await salesforce(sim, {
      fields: { uprn: 'LGX_UPRN__c', lgsl: 'LGX_LGSL__c', category: null, priority: 'Priority' },
      values: { caseType: { complaint: 'Problem' }, status: { open: 'Working' } },
      attributeFields: { callbackRequested: 'Callback__c' },
    });
    const receipt = await a.submit!(caseTx({ ...caseFixture('complaint-from-known-contact'), attributes: { callbackRequested: true } }), {
      signal: signal(),
    });
    expect(sim.case(receipt.externalRef)).toMatchObject({
      Type: 'Problem',
      Status: 'Working',
      Priority: 'Medium',
      Origin: 'Web',
      LGX_UPRN__c: '100090123456',
      LGX_LGSL__c: 524,
      Callback__c: true,
    });
    expect(sim.case(receipt.externalRef).Reason).toBeUndefined();
    expect(receipt).toMatchObject({ status: 'in_progress', externalStatusCode: 'Working' });
  });

  it('the same transaction again: the upsert matches (200, or 204 with no body) and the receipt is the same Case', async () => {
    for (const upsertUpdateStatus of [200, 204] as const) {
      const org = await startSalesforceSimulator({ upsertUpdateStatus, contacts: [{ Id: '003000000000001AAA', ...FIXTURE_CONTACT }] });
      try {
        const { a, logs } = await salesforce(org);
        const t = caseTx(caseFixture('anonymous-staff-case'));
        const first = await a.submit!(t, { signal: signal() });
        const second = await a.submit!(structuredClone(t), { signal: signal() });
        expect(second.externalRef).toBe(first.externalRef);
        expect(second.attributes).toEqual(first.attributes);
        expect(org.state.cases.size).toBe(1);
        expect(logs.map((l) => l.msg)).toContain('case already delivered: the upsert matched it');
      } finally {
        await org.close();
      }
    }
  });

  it('a later attempt looks first and returns the Case staff have started on without writing over it', async () => {
    const { a, logs } = await salesforce(sim);
    const t = caseTx(caseFixture('anonymous-staff-case'));
    const first = await a.submit!(t, { signal: signal() });
    sim.setCaseStatus(first.externalRef, 'Working');
    sim.updateCase(first.externalRef, { Subject: 'triaged by staff' });
    const again = await a.submit!(structuredClone(t), { signal: signal(), attempt: 2 });
    expect(again).toMatchObject({ externalRef: first.externalRef, status: 'in_progress', externalStatusCode: 'Working' });
    expect(sim.case(first.externalRef).Subject).toBe('triaged by staff');
    expect(composites()).toHaveLength(1);
    expect(logs.map((l) => l.msg)).toContain('case already delivered: returning the Case that is there');
  });

  it('several Cases holding the external id is permanent (300)', async () => {
    const { a } = await salesforce(sim);
    const t = caseTx(caseFixture('anonymous-staff-case'));
    sim.insertCase({ LGX_Transaction_Id__c: externalIdOf(t.id) });
    sim.insertCase({ LGX_Transaction_Id__c: externalIdOf(t.id) });
    for (const attempt of [1, 2]) {
      const error = await rejection(a.submit!(t, { signal: signal(), attempt }));
      expect([error.classification, error.status, error.message]).toEqual([
        'permanent',
        300,
        expect.stringContaining('several Cases hold this LGX_Transaction_Id__c'),
      ]);
    }
  });

  it("classifies the array error body: validation permanent with its code, a missing external id field as setup, the message without the citizen's words", async () => {
    const { a } = await salesforce(sim, { fields: { location: 'LGX_UPRN__c' } });
    const where = {
      address: { paon: 'Rose Cottage', street: 'Long Lane', town: 'Little Snoring', postcode: 'NR21 0AA' },
      description: `Behind the third oak ${'and on past the hedge '.repeat(10)}`.trim(),
    };
    const error = await rejection(a.submit!(caseTx({ ...caseFixture('anonymous-staff-case'), location: where }), { signal: signal() }));
    expect(error).toMatchObject({ classification: 'permanent', vendorCode: 'STRING_TOO_LONG', status: 400 });
    expect(error.message).toContain('[personal data]');
    expect(error.message).not.toMatch(/Rose Cottage|Little Snoring|third oak/);
    const { a: wrongField } = await salesforce(sim, { externalIdField: 'Missing_Field__c' });
    const setup = await rejection(wrongField.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }));
    expect([setup.classification, setup.message]).toEqual([
      'permanent',
      expect.stringContaining('is Missing_Field__c an External ID field on Case?'),
    ]);
  });

  it('a transaction id that cannot travel in a URL path is hashed into the external id', () => {
    expect(externalIdOf('3f1c9a52-7d4e-4b8a-9c21-5e6f7a8b9c0d')).toBe('3f1c9a52-7d4e-4b8a-9c21-5e6f7a8b9c0d');
    expect(externalIdOf('form:42/a.b')).toMatch(/^lgxh-[0-9a-f]{40}$/);
  });
});

describe('getStatus and check', () => {
  it('maps Status through statusMap, the defaults, then IsClosed; a missing Case is notFound', async () => {
    const custom = await startSalesforceSimulator({
      statuses: [
        { ApiName: 'New', MasterLabel: 'New', IsClosed: false, IsDefault: true, SortOrder: 1 },
        { ApiName: 'Awaiting Inspection', MasterLabel: 'Awaiting Inspection', IsClosed: false, IsDefault: false, SortOrder: 2 },
        { ApiName: 'Referred', MasterLabel: 'Referred', IsClosed: false, IsDefault: false, SortOrder: 3 },
        { ApiName: 'Resolved - Fixed', MasterLabel: 'Resolved - Fixed', IsClosed: true, IsDefault: false, SortOrder: 4 },
      ],
    });
    try {
      const { a } = await salesforce(custom, { statusMap: { 'Awaiting Inspection': 'investigating' } });
      const { externalRef } = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
      const seen: Array<[string, string]> = [];
      for (const status of ['Awaiting Inspection', 'Referred', 'Resolved - Fixed']) {
        custom.setCaseStatus(externalRef, status);
        const update = await a.getStatus!(externalRef, { signal: signal() });
        seen.push([update.status, update.externalStatusCode!]);
      }
      expect(seen).toEqual([
        ['investigating', 'Awaiting Inspection'],
        ['in_progress', 'Referred'],
        ['closed', 'Resolved - Fixed'],
      ]);
      expect((await rejection(a.getStatus!('500000000000000AAA', { signal: signal() }))).classification).toBe('notFound');
      expect((await rejection(a.getStatus!('CAS-1', { signal: signal() }))).classification).toBe('notFound');
      const report = await a.check!({ signal: signal() });
      expect(report).toMatchObject({
        ok: true,
        details: { apiRequests: { max: 15000, remaining: expect.any(Number) }, statuses: 4, byIsClosed: ['Referred', 'Resolved - Fixed'] },
      });
    } finally {
      await custom.close();
    }
  });

  it('check() reports a refused login without the key', async () => {
    const other = await startSalesforceSimulator();
    await other.close();
    const { a } = await salesforce(sim, { privateKey: other.privateKey });
    const report = await a.check!({ signal: signal() });
    expect(report.ok).toBe(false);
    expect(report.message).toContain('invalid_grant');
    expect(report.message).not.toContain('PRIVATE KEY');
    expect(createPrivateKey(other.privateKey)).toBeDefined();
  });
});
