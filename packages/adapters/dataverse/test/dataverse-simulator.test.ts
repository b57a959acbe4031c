import { startDataverseSimulator, DATAVERSE_SIMULATOR_ACCOUNT_ID, type DataverseSimulator } from '../src/testing';

let sim: DataverseSimulator;
let token: string;

beforeAll(async () => {
  sim = await startDataverseSimulator({ serviceProtection: null });
});
afterAll(() => sim.close());
beforeEach(async () => {
  sim.reset();
  sim.setServiceProtection(null);
  token = await getToken();
});

async function tokenRequest(form: Record<string, string>, tenant = sim.tenantId) {
  const res = await fetch(`${sim.authorityHost}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function getToken(): Promise<string> {
  const { body } = await tokenRequest({
    grant_type: 'client_credentials',
    client_id: sim.clientId,
    client_secret: sim.clientSecret,
    scope: `${sim.url}/.default`,
  });
  return body.access_token as string;
}

async function api(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${sim.apiUrl}/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'odata-version': '4.0',
      'odata-maxversion': '4.0',
      ...(options.body ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const newCase = (extra: Record<string, unknown> = {}) => ({
  title: 'Bins missed',
  'customerid_account@odata.bind': `/accounts(${DATAVERSE_SIMULATOR_ACCOUNT_ID})`,
  ...extra,
});

describe('Entra ID token endpoint', () => {
  it('issues a Bearer token for the client credentials form, and refuses a wrong secret, scope or tenant with an OAuth error', async () => {
    const ok = await tokenRequest({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      scope: `${sim.url}/.default`,
    });
    expect(ok).toEqual({
      status: 200,
      body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: expect.any(String) },
    });
    const secret = await tokenRequest({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: 'wrong',
      scope: `${sim.url}/.default`,
    });
    expect(secret).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [7000215] } });
    expect(
      (
        await tokenRequest({
          grant_type: 'client_credentials',
          client_id: sim.clientId,
          client_secret: sim.clientSecret,
          scope: 'https://other/.default',
        })
      ).body.error,
    ).toBe('invalid_scope');
    expect(
      (
        await tokenRequest(
          { grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${sim.url}/.default` },
          'other-tenant',
        )
      ).body.error,
    ).toBe('invalid_request');
  });

  it('the Web API refuses a missing or expired token with 401 and a Bearer challenge', async () => {
    expect((await api('GET', 'WhoAmI')).status).toBe(200);
    sim.expireTokens();
    const refused = await api('GET', 'WhoAmI');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });
});

describe('Web API', () => {
  it('creates a case: 204 with OData-EntityId, or 201 with the row when asked to return it; always OData-Version 4.0', async () => {
    const plain = await api('POST', 'incidents', { body: newCase() });
    expect(plain.status).toBe(204);
    expect(plain.headers.get('odata-version')).toBe('4.0');
    const id = /incidents\(([0-9a-f-]{36})\)$/.exec(plain.headers.get('odata-entityid')!)![1]!;
    expect(sim.incident(id)).toMatchObject({
      title: 'Bins missed',
      statecode: 0,
      statuscode: 1,
      ticketnumber: expect.stringMatching(/^CAS-\d{5}-[0-9A-F]{6}$/),
      _customerid_value: DATAVERSE_SIMULATOR_ACCOUNT_ID,
    });
    const back = await api('POST', 'incidents?$select=title,ticketnumber', {
      body: newCase(),
      headers: { prefer: 'return=representation' },
    });
    expect(back.status).toBe(201);
    expect(back.headers.get('preference-applied')).toBe('return=representation');
    expect(back.body).toMatchObject({
      '@odata.etag': expect.stringMatching(/^W\/"\d+"$/),
      title: 'Bins missed',
      incidentid: expect.any(String),
    });
  });

  it('refuses what Dataverse refuses, in its error envelope: no customer, unknown column, too long, a bad option value, a missing lookup target', async () => {
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ title: 'x' }, 400, /parent contact or account/],
      [newCase({ nosuchcolumn: 1 }), 400, /does not exist on type 'Microsoft.Dynamics.CRM.incident'/],
      [newCase({ title: 'x'.repeat(201) }), 400, /exceeded the maximum allowed length of '200'/],
      [newCase({ prioritycode: 9 }), 400, /outside the valid range/],
      [newCase({ 'customerid_account@odata.bind': '/accounts(00000000-0000-4000-8000-000000000000)' }), 404, /Does Not Exist/],
    ];
    for (const [body, status, message] of cases) {
      const res = await api('POST', 'incidents', { body });
      expect([res.status, (res.body as { error: { message: string } }).error.message]).toEqual([status, expect.stringMatching(message)]);
    }
    expect(sim.state.incidents.size).toBe(0);
  });

  it('alternate keys: create-only (If-None-Match: *) answers 412 the second time, update-only (If-Match: *) 404 when missing, a plain PATCH upserts', async () => {
    const path = "incidents(lgx_transactionid='tx-1')";
    expect((await api('PATCH', path, { body: newCase(), headers: { 'if-none-match': '*' } })).status).toBe(204);
    const again = await api('PATCH', path, { body: newCase({ title: 'changed' }), headers: { 'if-none-match': '*' } });
    expect([again.status, again.body]).toEqual([
      412,
      { error: { code: '', message: 'A record with matching key values already exists.' } },
    ]);
    expect(sim.incidentByKey('tx-1')).toMatchObject({ title: 'Bins missed' });
    expect((await api('PATCH', "incidents(lgx_transactionid='tx-2')", { body: { title: 'x' }, headers: { 'if-match': '*' } })).status).toBe(
      404,
    );
    expect(sim.incidentByKey('tx-2')).toBeUndefined();
    expect((await api('PATCH', path, { body: { title: 'upserted' } })).status).toBe(204);
    expect(sim.incidentByKey('tx-1')).toMatchObject({ title: 'upserted' });
    expect((await api('GET', "incidents(lgx_transactionid='a:b')")).status).toBe(400);
    expect((await api('GET', "incidents(title='x')")).status).toBe(400);
  });

  it('etags: 304 for an unchanged row, 412 for a stale If-Match', async () => {
    const created = await api('POST', 'incidents', { body: newCase(), headers: { prefer: 'return=representation' } });
    const id = created.body!.incidentid as string;
    const etag = created.body!['@odata.etag'] as string;
    expect((await api('GET', `incidents(${id})`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await api('PATCH', `incidents(${id})`, { body: { title: 'one' }, headers: { 'if-match': etag } })).status).toBe(204);
    const stale = await api('PATCH', `incidents(${id})`, { body: { title: 'two' }, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect(sim.incident(id).title).toBe('one');
  });

  it('statecode and statuscode go in valid pairs; a case is resolved only through CloseIncident', async () => {
    const id = (await api('POST', 'incidents', { body: newCase(), headers: { prefer: 'return=representation' } })).body!
      .incidentid as string;
    expect((await api('PATCH', `incidents(${id})`, { body: { statecode: 1, statuscode: 5 } })).body).toMatchObject({
      error: { message: expect.stringContaining('use the CloseIncidentRequest message') },
    });
    expect((await api('PATCH', `incidents(${id})`, { body: { statecode: 2, statuscode: 1 } })).status).toBe(400);
    expect((await api('PATCH', `incidents(${id})`, { body: { statuscode: 4 } })).status).toBe(204);
    expect(sim.incident(id)).toMatchObject({ statecode: 0, statuscode: 4 });
    const close = await api('POST', 'CloseIncident', {
      body: { IncidentResolution: { subject: 'Collected', 'incidentid@odata.bind': `/incidents(${id})` }, Status: 5 },
    });
    expect(close.status).toBe(204);
    expect(sim.incident(id)).toMatchObject({ statecode: 1, statuscode: 5 });
    expect(sim.state.incidentresolutions.size).toBe(1);
    expect(
      (await api('POST', 'CloseIncident', { body: { IncidentResolution: { 'incidentid@odata.bind': `/incidents(${id})` }, Status: 5 } }))
        .status,
    ).toBe(400);
    expect((await api('PATCH', `incidents(${id})`, { body: { statecode: 0, statuscode: 1 } })).status).toBe(204);
    const labelled = await api('GET', `incidents(${id})?$select=statecode,statuscode`, {
      headers: { prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
    });
    expect(labelled.body).toMatchObject({ statecode: 0, 'statuscode@OData.Community.Display.V1.FormattedValue': 'In Progress' });
  });

  it('service protection: 429 with Retry-After and the documented code once the request window is full', async () => {
    sim.setServiceProtection({ requests: 3, windowMs: 60_000, concurrent: 100 });
    for (let i = 0; i < 3; i++) expect((await api('GET', 'WhoAmI')).status).toBe(200);
    const limited = await api('GET', 'WhoAmI');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toEqual({
      error: { code: '0x80072322', message: 'Number of requests exceeded the limit of 3 over time window of 60 seconds.' },
    });
  });

  it('service protection: too many requests at once are refused at once with 0x80072326', async () => {
    const slow = await startDataverseSimulator({ processingMs: 200, serviceProtection: { concurrent: 2, retryAfterSeconds: 3 } });
    try {
      const t = (await (
        await fetch(`${slow.authorityHost}/${slow.tenantId}/oauth2/v2.0/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: slow.clientId,
            client_secret: slow.clientSecret,
            scope: `${slow.url}/.default`,
          }),
        })
      ).json()) as { access_token: string };
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => fetch(`${slow.apiUrl}/WhoAmI`, { headers: { authorization: `Bearer ${t.access_token}` } })),
      );
      const refused = answers.filter((a) => a.status === 429);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
      expect(refused).toHaveLength(3);
      expect(refused[0]!.headers.get('retry-after')).toBe('3');
      expect(((await refused[0]!.json()) as { error: { code: string } }).error.code).toBe('0x80072326');
    } finally {
      await slow.close();
    }
  });

  it('change tracking: every row then a delta link; the delta has changed rows and $deletedEntity entries, pages by maxpagesize, and expires', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await api('POST', 'incidents', { body: newCase({ title: `case ${i}` }), headers: { prefer: 'return=representation' } })).body!
          .incidentid as string,
      );
    const first = await api('GET', 'incidents?$select=title,statecode,statuscode', {
      headers: { prefer: 'odata.track-changes,odata.maxpagesize=2' },
    });
    expect(first.headers.get('preference-applied')).toBe('odata.track-changes,odata.maxpagesize=2');
    expect((first.body!.value as unknown[]).length).toBe(2);
    const second = await fetch(first.body!['@odata.nextLink'] as string, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.json() as Promise<Record<string, unknown>>,
    );
    expect((second.value as unknown[]).length).toBe(1);
    const delta = second['@odata.deltaLink'] as string;
    expect(delta).toMatch(/\$deltatoken=\d+%21\d\d%2F\d\d%2F\d{4}/);

    sim.resolve(ids[0]!);
    sim.deleteIncident(ids[1]!);
    const changes = await fetch(delta, { headers: { authorization: `Bearer ${token}`, prefer: 'odata.track-changes' } }).then(
      (r) => r.json() as Promise<{ value: Array<Record<string, unknown>>; '@odata.deltaLink': string }>,
    );
    expect(changes.value).toEqual([
      expect.objectContaining({ incidentid: ids[0], statecode: 1, statuscode: 5 }),
      { '@odata.context': `${sim.apiUrl}/$metadata#incidents/$deletedEntity`, id: ids[1], reason: 'deleted' },
    ]);
    const none = await fetch(changes['@odata.deltaLink'], { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.json() as Promise<{ value: unknown[] }>,
    );
    expect(none.value).toEqual([]);
    expect((await api('GET', 'incidents?$filter=statecode eq 0', { headers: { prefer: 'odata.track-changes' } })).status).toBe(400);

    sim.expireDeltaTokens();
    const expired = await fetch(changes['@odata.deltaLink'], { headers: { authorization: `Bearer ${token}` } });
    expect(expired.status).toBe(400);
  });

  it('queries by modifiedon with $filter, $orderby and $top, and pages them', async () => {
    for (let i = 0; i < 3; i++) await api('PATCH', `incidents(lgx_transactionid='q-${i}')`, { body: newCase({ title: `q ${i}` }) });
    await api('POST', 'incidents', { body: newCase({ title: 'not ours' }) });
    const res = await api(
      'GET',
      `incidents?$select=title&$filter=lgx_transactionid ne null and modifiedon ge 2020-01-01T00:00:00Z&$orderby=modifiedon asc`,
      { headers: { prefer: 'odata.maxpagesize=2' } },
    );
    expect((res.body!.value as Array<{ title: string }>).map((r) => r.title)).toHaveLength(2);
    expect(res.body!['@odata.nextLink']).toEqual(expect.stringContaining('$skiptoken'));
    expect(res.body!['@odata.deltaLink']).toBeUndefined();
    const top = await api('GET', `incidents?$select=title&$top=1`);
    expect(top.body!.value).toHaveLength(1);
  });
});
