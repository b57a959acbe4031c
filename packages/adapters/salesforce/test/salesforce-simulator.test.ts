import { createPrivateKey } from 'node:crypto';
import { startSalesforceSimulator, type SalesforceSimulator } from '../src/testing';
import { jwtAssertion } from '../src/salesforce-auth';

let sim: SalesforceSimulator;
let token: string;
const V = 'v61.0';

beforeAll(async () => {
  sim = await startSalesforceSimulator({
    contacts: [{ Id: '003000000000001AAA', LastName: 'Example', LGX_Contact_Ref__c: 'CR-1' }],
    apiLimit: 100,
  });
});
afterAll(() => sim.close());
beforeEach(async () => {
  sim.reset();
  token = (await jwtLogin()).body.access_token as string;
});

async function form(url: string, fields: Record<string, string>) {
  const res = await fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function jwtLogin(claims: Partial<{ iss: string; sub: string; aud: string }> = {}, at = Date.now(), key = sim.privateKey) {
  const assertion = jwtAssertion({ iss: sim.clientId, sub: sim.username, aud: sim.loginUrl, ...claims }, createPrivateKey(key), at);
  return form(sim.loginUrl, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
}

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}/services/data/${V}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

describe('OAuth', () => {
  it('JWT bearer on the login host: a signed assertion gets a token and the org instance_url; a bad one an OAuth error', async () => {
    const ok = await jwtLogin();
    expect(ok).toEqual({
      status: 200,
      body: {
        access_token: expect.stringMatching(/^00D/),
        scope: 'api',
        instance_url: sim.url,
        id: expect.stringContaining('/id/00D'),
        token_type: 'Bearer',
      },
    });
    expect((await jwtLogin({ sub: 'someone@else.example' })).body).toEqual({
      error: 'invalid_grant',
      error_description: "user hasn't approved this consumer",
    });
    expect((await jwtLogin({ iss: 'other-app' })).body.error).toBe('invalid_client_id');
    expect((await jwtLogin({ aud: 'https://evil.example' })).body.error_description).toBe('audience is invalid');
    expect((await jwtLogin({}, Date.now() - 10 * 60_000)).body.error_description).toBe('expired authorization code');
    const other = await startSalesforceSimulator();
    await other.close();
    expect((await jwtLogin({}, Date.now(), other.privateKey)).body).toEqual({
      error: 'invalid_grant',
      error_description: 'invalid assertion',
    });
  });

  it('client credentials on My Domain only, with the consumer secret', async () => {
    const ok = await form(sim.url, { grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret });
    expect(ok.body).toMatchObject({
      instance_url: sim.url,
      token_type: 'Bearer',
      issued_at: expect.any(String),
      signature: expect.any(String),
    });
    expect((await form(sim.url, { grant_type: 'client_credentials', client_id: sim.clientId, client_secret: 'nope' })).body.error).toBe(
      'invalid_client',
    );
    expect(
      (await form(sim.loginUrl, { grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret })).body.error,
    ).toBe('unsupported_grant_type');
  });

  it('an expired session gets 401 INVALID_SESSION_ID in the array error format', async () => {
    sim.expireSessions();
    expect(await api('GET', '/limits')).toMatchObject({
      status: 401,
      body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
    });
  });
});

describe('REST API', () => {
  it('creates a Case (201, default status New, a case number), says the API usage on every answer, and refuses bad fields in the array format', async () => {
    const created = await api('POST', '/sobjects/Case', { Subject: 'Bins missed', Origin: 'Web' });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect(id).toMatch(/^500[A-Za-z0-9]{15}$/);
    expect(created.headers.get('sforce-limit-info')).toBe('api-usage=1/100');
    expect(sim.case(id)).toMatchObject({ Subject: 'Bins missed', Status: 'New', IsClosed: false, CaseNumber: '00001001' });
    expect((await api('POST', '/sobjects/Case', { Subject: 'x', Nope__c: 1 })).body).toEqual([
      { message: "No such column 'Nope__c' on sobject of type Case", errorCode: 'INVALID_FIELD' },
    ]);
    expect((await api('POST', '/sobjects/Case', { CaseNumber: '1' })).body).toMatchObject([
      { errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['CaseNumber'] },
    ]);
    expect((await api('POST', '/sobjects/Case', { Status: 'Pending' })).body).toMatchObject([
      { errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' },
    ]);
    expect((await api('POST', '/sobjects/Case', { ContactId: '003000000000009AAA' })).body).toMatchObject([
      { errorCode: 'INVALID_CROSS_REFERENCE_KEY' },
    ]);
    expect((await api('POST', '/sobjects/Case', { Subject: 'x'.repeat(256) })).body).toMatchObject([
      { errorCode: 'STRING_TOO_LONG', fields: ['Subject'] },
    ]);
  });

  it('upsert by external id: 201 created, 200 updated, 300 when two Cases hold the value, updateOnly, NOT_FOUND for a field that is not an external id', async () => {
    const path = '/sobjects/Case/LGX_Transaction_Id__c/tx-1';
    expect(await api('PATCH', path, { Subject: 'first' })).toMatchObject({
      status: 201,
      body: { id: expect.any(String), success: true, errors: [], created: true },
    });
    expect(await api('PATCH', path, { Subject: 'second' })).toMatchObject({ status: 200, body: { success: true, created: false } });
    expect(sim.caseByExternalId('tx-1')).toMatchObject({ Subject: 'second' });
    expect((await api('PATCH', '/sobjects/Case/LGX_Transaction_Id__c/tx-2?updateOnly=true', { Subject: 'x' })).status).toBe(404);
    expect(sim.caseByExternalId('tx-2')).toBeUndefined();
    sim.insertCase({ LGX_Transaction_Id__c: 'tx-1' });
    const several = await api('PATCH', path, { Subject: 'third' });
    expect(several.status).toBe(300);
    expect(several.body).toHaveLength(2);
    expect((await api('GET', path)).status).toBe(300);
    expect(await api('PATCH', '/sobjects/Case/Subject/x', { Subject: 'x' })).toMatchObject({
      status: 404,
      body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }],
    });
  });

  it('an upsert that updates can answer 204 with no body, as older API versions do', async () => {
    const old = await startSalesforceSimulator({ upsertUpdateStatus: 204 });
    try {
      const t = (await form(old.url, { grant_type: 'client_credentials', client_id: old.clientId, client_secret: old.clientSecret })).body
        .access_token as string;
      const patch = () =>
        fetch(`${old.url}/services/data/${V}/sobjects/Case/LGX_Transaction_Id__c/a`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
          body: '{"Subject":"s"}',
        });
      expect((await patch()).status).toBe(201);
      const again = await patch();
      expect([again.status, await again.text()]).toEqual([204, '']);
    } finally {
      await old.close();
    }
  });

  it('relates a Case to a Contact through the Contact external id field', async () => {
    const created = await api('POST', '/sobjects/Case', { Subject: 's', Contact: { LGX_Contact_Ref__c: 'CR-1' } });
    expect(sim.case((created.body as { id: string }).id).ContactId).toBe('003000000000001AAA');
    expect((await api('POST', '/sobjects/Case', { Contact: { LGX_Contact_Ref__c: 'CR-9' } })).body).toMatchObject([
      { errorCode: 'INVALID_FIELD' },
    ]);
  });

  it('the daily allocation: 403 REQUEST_LIMIT_EXCEEDED once it is used; /limits says what is left', async () => {
    sim.setApiUsage(98);
    expect(await api('GET', '/limits')).toMatchObject({ status: 200, body: { DailyApiRequests: { Max: 100, Remaining: 1 } } });
    expect((await api('GET', '/limits')).status).toBe(200);
    const refused = await api('GET', '/limits');
    expect(refused).toMatchObject({
      status: 403,
      body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    });
    expect(refused.headers.get('sforce-limit-info')).toBe('api-usage=100/100');
  });

  it('the allocation is a rolling 24 hours: requests older than that stop counting', async () => {
    let clock = Date.now();
    const org = await startSalesforceSimulator({ apiLimit: 2, now: () => clock });
    try {
      const login = await form(org.url, { grant_type: 'client_credentials', client_id: org.clientId, client_secret: org.clientSecret });
      const limits = () =>
        fetch(`${org.url}/services/data/${V}/limits`, { headers: { authorization: `Bearer ${login.body.access_token as string}` } });
      expect((await limits()).status).toBe(200);
      clock += 12 * 3_600_000;
      expect((await limits()).status).toBe(200);
      expect((await limits()).status).toBe(403);
      // A day after the first request it no longer counts; the second still does.
      clock += 13 * 3_600_000;
      const again = await limits();
      expect(again.status).toBe(200);
      expect(again.headers.get('sforce-limit-info')).toBe('api-usage=2/2');
      expect((await limits()).status).toBe(403);
    } finally {
      await org.close();
    }
  });

  it('getUpdated: seconds ignored, start before end, at most 30 days back, latestDateCovered, a long transaction holds it back', async () => {
    const a = sim.insertCase({ Subject: 'a' });
    const at = Date.now();
    const minute = Math.floor(at / 60_000) * 60_000;
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00'));
    const window = await api('GET', `/sobjects/Case/updated/?start=${iso(minute - 60_000)}&end=${iso(at)}`);
    expect(window.body).toEqual({ ids: [a], latestDateCovered: new Date(minute).toISOString().replace('Z', '+0000') });
    expect((await api('GET', `/sobjects/Case/updated/?start=${iso(minute + 5_000)}&end=${iso(minute + 50_000)}`)).body).toMatchObject([
      { errorCode: 'INVALID_REPLICATION_DATE' },
    ]);
    expect(
      (await api('GET', `/sobjects/Case/updated/?start=${iso(Date.now() - 31 * 86_400_000)}&end=${iso(Date.now())}`)).body,
    ).toMatchObject([{ errorCode: 'INVALID_REPLICATION_DATE' }]);
    sim.setLongRunningTransaction(minute - 120_000);
    expect(
      (
        (await api('GET', `/sobjects/Case/updated/?start=${iso(minute - 600_000)}&end=${iso(Date.now())}`)).body as {
          latestDateCovered: string;
        }
      ).latestDateCovered,
    ).toBe(new Date(minute - 120_000).toISOString().replace('Z', '+0000'));
  });

  it('composite: subrequests in one API call, @{ref.id} references, allOrNone rolls back', async () => {
    const composite = await api('POST', '/composite', {
      compositeRequest: [
        { method: 'POST', url: `/services/data/${V}/sobjects/Case`, referenceId: 'newCase', body: { Subject: 'from composite' } },
        { method: 'GET', url: `/services/data/${V}/sobjects/Case/@{newCase.id}?fields=Subject,CaseNumber`, referenceId: 'readCase' },
      ],
    });
    expect(composite.status).toBe(200);
    expect(composite.headers.get('sforce-limit-info')).toBe('api-usage=1/100');
    const [made, read] = (
      composite.body as { compositeResponse: Array<{ httpStatusCode: number; body: Record<string, unknown>; referenceId: string }> }
    ).compositeResponse;
    expect([made!.httpStatusCode, read!.httpStatusCode, read!.body.Subject, read!.referenceId]).toEqual([
      201,
      200,
      'from composite',
      'readCase',
    ]);

    const rolled = await api('POST', '/composite', {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: `/services/data/${V}/sobjects/Case`, referenceId: 'good', body: { Subject: 'kept?' } },
        { method: 'POST', url: `/services/data/${V}/sobjects/Case`, referenceId: 'bad', body: { Nope__c: 1 } },
      ],
    });
    const answers = (rolled.body as { compositeResponse: Array<{ httpStatusCode: number; body: Array<{ errorCode: string }> }> })
      .compositeResponse;
    expect(answers.map((a) => [a.httpStatusCode, a.body[0]!.errorCode])).toEqual([
      [400, 'PROCESSING_HALTED'],
      [400, 'INVALID_FIELD'],
    ]);
    expect(sim.state.cases.size).toBe(1);
  });

  it('sObject collections retrieve (null for an id that is not there) and CaseStatus by SOQL', async () => {
    const a = sim.insertCase({ Subject: 'a' });
    const got = await api('POST', '/composite/sobjects/Case', { ids: [a, '500000000000000AAA'], fields: ['Id', 'Status'] });
    expect(got.body).toEqual([{ attributes: { type: 'Case', url: `/services/data/${V}/sobjects/Case/${a}` }, Id: a, Status: 'New' }, null]);
    const statuses = await api('GET', `/query?q=${encodeURIComponent('SELECT ApiName, IsClosed FROM CaseStatus ORDER BY SortOrder')}`);
    expect(
      (statuses.body as { records: Array<{ ApiName: string; IsClosed: boolean }> }).records.map((r) => [r.ApiName, r.IsClosed]),
    ).toEqual([
      ['New', false],
      ['Working', false],
      ['Escalated', false],
      ['Closed', true],
    ]);
  });
});
