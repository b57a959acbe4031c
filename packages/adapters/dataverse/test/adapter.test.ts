import { instantiateAdapter } from '@lgx/core/host';
import { startDataverseSimulator, type DataverseSimulator } from '../src/testing';
import adapter, { configSchema } from '../src';
import { rowKey } from '../src/row-key';
import { FIXTURE_CONTACT, caseFixture, caseTx, contactFixture, contactTx, dataverse, dataverseConfig, rejection, signal } from './helpers';

let sim: DataverseSimulator;
beforeAll(async () => {
  sim = await startDataverseSimulator({ contacts: [FIXTURE_CONTACT], serviceProtection: null });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const writes = () => sim.requests.filter((r) => r.method === 'PATCH' || r.method === 'POST');

describe('submit crm.case', () => {
  it('creates the incident under its key with OData headers, the Bearer token and create-only semantics, and returns the case number', async () => {
    const { a } = await dataverse(sim);
    const t = caseTx(caseFixture('complaint-from-known-contact'));
    const receipt = await a.submit!(t, { signal: signal() });
    const sent = writes()[0]!;
    expect(sent.path).toBe(`/api/data/v9.2/incidents(lgx_transactionid='${t.id}')`);
    expect(sent.headers).toMatchObject({
      'odata-version': '4.0',
      'odata-maxversion': '4.0',
      'if-none-match': '*',
      prefer: 'return=representation',
      authorization: expect.stringMatching(/^Bearer ey/),
    });
    expect(JSON.parse(sent.body)).toEqual({
      title: 'Bins missed three weeks running',
      description:
        'Our recycling has been missed three weeks in a row despite reporting it each time. Please can someone explain what is going wrong.',
      prioritycode: 2,
      caseorigincode: 3,
      'customerid_contact@odata.bind': `/contacts(${FIXTURE_CONTACT.contactid})`,
    });
    const row = sim.incidentByKey(t.id)!;
    expect(receipt).toEqual({
      externalRef: row.incidentid,
      status: 'open',
      externalStatusCode: '1',
      acceptedAt: new Date(Date.parse(row.createdon as string)).toISOString(),
      url: `${sim.url}/main.aspx?pagetype=entityrecord&etn=incident&id=${row.incidentid}`,
      attributes: { caseNumber: row.ticketnumber },
    });
    const token = sim.entra.requests[0]!;
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
      grant_type: 'client_credentials',
      scope: `${sim.url}/.default`,
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    });
    expect(token.path).toBe(`/${sim.tenantId}/oauth2/v2.0/token`);
  });

  it('the same transaction again returns the row that is there, unchanged, and makes no second one', async () => {
    const { a, logs } = await dataverse(sim);
    const t = caseTx(caseFixture('anonymous-staff-case'));
    const first = await a.submit!(t, { signal: signal() });
    sim.updateIncident(first.externalRef, { title: 'edited by staff' });
    const second = await a.submit!(structuredClone(t), { signal: signal(), attempt: 2 });
    expect(second.externalRef).toBe(first.externalRef);
    expect(sim.state.incidents.size).toBe(1);
    expect(sim.incident(first.externalRef).title).toBe('edited by staff');
    expect(logs.map((l) => l.msg)).toContain('case already delivered: returning the row that is there');
  });

  it('a person without a contact id becomes a contact first, once, and the case is filed under it', async () => {
    const { a } = await dataverse(sim);
    const t = caseTx(caseFixture('phone-enquiry-new-person'));
    const receipt = await a.submit!(t, { signal: signal() });
    await a.submit!(t, { signal: signal() });
    expect(sim.state.contacts.size).toBe(2);
    const contact = [...sim.state.contacts.values()].find((c) => c.values.lgx_transactionid === t.id)!;
    expect(contact.values).toMatchObject({ firstname: 'Alex', lastname: 'Example', mobilephone: '07700 900456' });
    expect(sim.incident(receipt.externalRef)._customerid_value).toBe(contact.id);
  });

  it('maps to a customised table: its entity set and keys, chosen columns, codes and attributes', async () => {
    const { a } = await dataverse(sim, {
      keyColumn: 'lgx_transactionid',
      columns: {
        subject: 'title',
        description: null,
        caseType: 'casetypecode',
        category: 'lgx_category',
        lgsl: 'lgx_lgsl',
        uprn: 'lgx_uprn',
        location: 'lgx_location',
        externalRefs: 'lgx_refs',
      },
      codes: { caseType: { complaint: 2 }, channel: { web: 100000001 } },
      attributeColumns: { callbackRequested: 'lgx_callback' },
      titleMaxLength: 20,
    });
    const data = { ...caseFixture('complaint-from-known-contact'), attributes: { callbackRequested: true, other: 'x' } };
    await a.submit!(caseTx(data), { signal: signal() });
    expect(JSON.parse(writes()[0]!.body)).toEqual({
      title: 'Bins missed three w…',
      casetypecode: 2,
      lgx_category: 'complaint.stage1',
      prioritycode: 2,
      caseorigincode: 100000001,
      lgx_lgsl: 524,
      lgx_uprn: '100090123456',
      lgx_refs: 'forms:FRM-20260512-7731',
      lgx_callback: true,
      'customerid_contact@odata.bind': `/contacts(${FIXTURE_CONTACT.contactid})`,
    });
  });

  it('refuses before sending anything: no contact and no anonymous customer, a contact id that is not a GUID, a description longer than the column', async () => {
    const { a } = await dataverse(sim, { anonymousCustomer: undefined });
    const anonymous = await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }));
    expect([anonymous.classification, anonymous.message]).toEqual(['permanent', expect.stringContaining('set anonymousCustomer')]);
    const notGuid = await rejection(
      a.submit!(caseTx({ ...caseFixture('complaint-from-known-contact'), contact: { contactRef: 'C-12345' } }), { signal: signal() }),
    );
    expect([notGuid.classification, notGuid.message]).toEqual(['permanent', expect.stringContaining('/contact/contactRef')]);
    const long = await rejection(
      a.submit!(caseTx({ ...caseFixture('complaint-from-known-contact'), description: 'x'.repeat(2001) }), { signal: signal() }),
    );
    expect([long.classification, long.message]).toEqual(['permanent', expect.stringContaining('/description has 2001 characters')]);
    expect(long.message).not.toContain('xxxx');
    expect(writes()).toHaveLength(0);
  });

  it("keeps the citizen's words out of an error whose vendor message repeats them", async () => {
    const { a } = await dataverse(sim);
    const subject =
      'Neighbour Mrs Jane Citizen-Example at 14 Mill Road keeps leaving her bins out on the pavement all week and they block the way for wheelchairs';
    sim.faults.failNext(1, {
      status: 400,
      body: { error: { code: '0x80044331', message: `A validation error occurred. The value '${subject}' of 'title' is too long.` } },
    });
    const error = await rejection(a.submit!(caseTx({ ...caseFixture('anonymous-staff-case'), subject }), { signal: signal() }));
    expect(error).toMatchObject({ classification: 'permanent', vendorCode: '0x80044331', status: 400 });
    expect(error.message).toContain('[personal data]');
    expect(error.message).not.toContain('Jane Citizen');
    expect(error.cause).toBeUndefined();
  });

  it('classifies what Dataverse answers: service protection by its code, a missing table as a configuration problem', async () => {
    const { a } = await dataverse(sim);
    sim.faults.failNext(1, {
      status: 503,
      body: { error: { code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 52.' } },
    });
    expect(await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }))).toMatchObject({
      classification: 'rateLimited',
      retryAfterMs: 1000,
      vendorCode: '0x80072326',
    });
    sim.faults.failNext(1, {
      status: 429,
      body: { error: { code: '0x80072322', message: 'Number of requests exceeded the limit.' } },
      headers: { 'retry-after': '45' },
    });
    expect(await rejection(a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }))).toMatchObject({
      classification: 'rateLimited',
      retryAfterMs: 45_000,
    });
    const { a: wrongTable } = await dataverse(sim, { caseTable: { entitySet: 'lgx_cases' } });
    const missing = await rejection(wrongTable.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() }));
    expect([missing.classification, missing.message]).toEqual(['permanent', expect.stringContaining('check the adapter')]);
  });
});

describe('erase crm.contact', () => {
  it('deletes the contact LGX made (a subject erasure), and answers not_found once it is gone', async () => {
    const { a } = await dataverse(sim);
    const t = contactTx(contactFixture('new-contact-with-consents'));
    const receipt = await a.submit!(t, { signal: signal() });
    expect(sim.contact(receipt.externalRef)).toBeDefined();
    const request = { type: 'crm.contact', externalRef: receipt.externalRef, transactionId: t.id };
    expect(await a.erase!(request, { signal: signal() })).toEqual({ status: 'erased' });
    expect(sim.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      `/api/data/v9.2/contacts(${receipt.externalRef})`,
    ]);
    expect(() => sim.contact(receipt.externalRef)).toThrow('no contact');
    expect(await a.erase!(request, { signal: signal() })).toEqual({ status: 'not_found' });
  });

  it('refuses a type it does not erase, or a reference that is not a contact id, sending nothing', async () => {
    const { a } = await dataverse(sim);
    for (const request of [
      { type: 'crm.case', externalRef: FIXTURE_CONTACT.contactid, transactionId: 't-1' },
      { type: 'crm.contact', externalRef: "x') or (1 eq 1", transactionId: 't-1' },
    ])
      expect(await rejection(a.erase!(request, { signal: signal() }))).toMatchObject({ details: { field: 'externalRef' } });
    expect(sim.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });
});

describe('submit crm.contact', () => {
  it('creates a contact once under its key, with address, contact method and the marketing e-mail choice', async () => {
    const { a } = await dataverse(sim, { contactColumns: { uprn: 'lgx_uprn', accountRef: 'lgx_accountref' } });
    const t = contactTx(contactFixture('new-contact-with-consents'));
    const receipt = await a.submit!(t, { signal: signal() });
    const again = await a.submit!(t, { signal: signal() });
    expect(again.externalRef).toBe(receipt.externalRef);
    expect(sim.contact(receipt.externalRef)).toMatchObject({
      salutation: 'Mx',
      firstname: 'Alex',
      lastname: 'Example',
      fullname: 'Alex Example',
      emailaddress1: 'alex.example@example.com',
      mobilephone: '07700 900123',
      address1_line1: '14 Mill Road',
      address1_city: 'Cambridge',
      address1_postalcode: 'CB1 2AD',
      lgx_uprn: '100090123456',
      lgx_accountref: 'acct-7f3e21c9',
      preferredcontactmethodcode: 2,
      donotbulkemail: true,
      lgx_transactionid: rowKey(t.id),
    });
    expect(Object.keys(receipt)).toEqual(['externalRef', 'acceptedAt']);
  });

  it('updates the contact it names (update-only: a contact that is not there is not made)', async () => {
    const { a } = await dataverse(sim);
    const receipt = await a.submit!(contactTx(contactFixture('update-with-correspondence-address')), { signal: signal() });
    expect(receipt.externalRef).toBe(FIXTURE_CONTACT.contactid);
    expect(sim.contact(FIXTURE_CONTACT.contactid)).toMatchObject({
      birthdate: '1958-03-21',
      address2_line1: 'Flat 3',
      address2_line2: 'Rose Court',
      address2_line3: 'Station Road',
      address2_city: 'Ely',
      preferredcontactmethodcode: 5,
    });
    expect(writes()[0]!.headers['if-match']).toBe('*');
    const gone = await rejection(
      a.submit!(
        contactTx({ ...contactFixture('update-with-correspondence-address'), contactRef: '9f3c5a7e-1b2d-4e6f-8a9b-c0d1e2f3a4b5' }),
        { signal: signal() },
      ),
    );
    expect(gone.classification).toBe('permanent');
    expect(sim.state.contacts.size).toBe(1);
  });
});

describe('getStatus', () => {
  it('maps statecode/statuscode to the canonical status, the council statusMap first, and a missing case to notFound', async () => {
    const { a } = await dataverse(sim, { statusMap: { '1000': 'no_further_action', 'state:2': 'closed' } });
    const { externalRef } = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
    expect(await a.getStatus!(externalRef, { signal: signal() })).toMatchObject({
      externalRef,
      status: 'open',
      externalStatusCode: '1',
      source: 'dataverse',
    });
    const expectations: Array<[() => void, string, string]> = [
      [() => sim.setStatus(externalRef, 0, 4), 'investigating', '4'],
      [() => sim.resolve(externalRef), 'fixed', '5'],
      [() => sim.setStatus(externalRef, 1, 1000), 'no_further_action', '1000'],
      [() => sim.setStatus(externalRef, 2, 2000), 'closed', '2000'],
    ];
    for (const [change, status, code] of expectations) {
      change();
      expect(await a.getStatus!(externalRef, { signal: signal() })).toMatchObject({
        status,
        externalStatusCode: code,
        updatedAt: expect.any(String),
        updateId: expect.stringContaining('@'),
      });
    }
    expect((await rejection(a.getStatus!('00000000-0000-4000-8000-000000000001', { signal: signal() }))).classification).toBe('notFound');
    expect((await rejection(a.getStatus!('CAS-01001', { signal: signal() }))).classification).toBe('notFound');
  });
});

describe('configuration', () => {
  it('marks the client secret and refuses a config that is not an environment URL, naming the field', async () => {
    const bad = await rejection(instantiateAdapter(adapter, dataverseConfig(sim, { url: `${sim.url}/api/data/v9.2` })));
    expect(bad.code).toBe('LGX_ERR_ADAPTER_CONFIG_INVALID');
    expect(bad.message).toContain('/url');
    expect(configSchema.properties.clientSecret['x-lgx-secret']).toBe(true);
  });

  it('check() proves the credentials with WhoAmI and reports a refused secret', async () => {
    const { a } = await dataverse(sim);
    expect(await a.check!({ signal: signal() })).toMatchObject({ ok: true });
    const { a: wrong } = await dataverse(sim, { clientSecret: 'not-the-secret' });
    const report = await wrong.check!({ signal: signal() });
    expect(report.ok).toBe(false);
    expect(report.message).toContain('invalid_client');
    expect(report.message).not.toContain('not-the-secret');
  });
});
