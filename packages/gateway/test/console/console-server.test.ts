import { waitFor } from '@lgx/testkit';
import { createApiKey, createGateway } from '../../src';
import { ConsoleClient } from '../helpers/console-client';
import { PERSONAL_NAME, startConsoleWorld, type ConsoleWorld } from '../helpers/console-world';

/*
 * The operator console over HTTP, without a browser: sign-in, the session cookie, CSRF, security
 * headers, one council's data only, masking, and audited dead-letter actions.
 */

let world: ConsoleWorld;
beforeAll(async () => {
  world = await startConsoleWorld();
});
afterAll(() => world.stop());

const client = () => new ConsoleClient(world.service.url);

async function signedIn(key = world.keys.operator): Promise<ConsoleClient> {
  const c = client();
  const answer = await c.signIn(key);
  expect(answer.status).toBe(303);
  expect(answer.headers.get('location')).toBe('/console/overview');
  return c;
}

describe('sign-in', () => {
  it('exchanges an operator key for an HttpOnly, SameSite=Strict session cookie holding only a random id', async () => {
    const c = client();
    const answer = await c.signIn(world.keys.operator);
    const cookie = answer.headers.getSetCookie().find((line) => line.startsWith('lgx_console='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/console/);
    // Plain HTTP here: Secure would stop the browser sending it back.
    expect(cookie).not.toMatch(/Secure/);
    const id = cookie.slice('lgx_console='.length).split(';')[0]!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie).not.toContain(world.keys.operator.split('.')[1]);
    const overview = await c.request('/console/overview');
    expect(overview.status).toBe(200);
    expect(overview.text).toContain('Back offices');
  });

  it('marks the cookie Secure when the gateway is served over TLS (its public URL is https)', async () => {
    const gateway = createGateway({
      stacks: [...world.service.stacks],
      keys: world.service.keys,
      publicUrl: 'https://lgx.example.gov.uk',
      healthCheckIntervalMs: 3_600_000,
    });
    try {
      const c = new ConsoleClient(await gateway.listen());
      const signIn = await c.signIn(world.keys.operator);
      expect(signIn.status).toBe(303);
      expect(signIn.headers.getSetCookie().find((line) => line.startsWith('lgx_console='))).toMatch(/; Secure/);
    } finally {
      await gateway.close();
    }
  });

  it('refuses keys without the operator or admin scope, unknown keys and an empty field, saying why', async () => {
    const reader = await client().signIn(world.keys.reader);
    expect(reader.status).toBe(401);
    expect(reader.text).toContain('needs the &#39;operator&#39; or &#39;admin&#39; scope');
    const unknown = await client().signIn('lgx_000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(401);
    expect(unknown.text).toContain('The API key is not valid');
    const empty = await client().signIn('');
    expect(empty.text).toContain('Enter your API key');
    expect(empty.text).toContain('href="#api-key"');
  });

  it('refuses a sign-in form posted without its token', async () => {
    const c = client();
    const answer = await c.request('/console/sign-in', { form: { apiKey: world.keys.operator } });
    expect(answer.status).toBe(403);
    expect(answer.headers.getSetCookie().some((line) => line.startsWith('lgx_console='))).toBe(false);
  });

  it('sends pages without a session to the sign-in page', async () => {
    for (const path of [
      '/console/overview',
      '/console/transactions',
      '/console/dead-letters',
      '/console/audit',
      `/console/transactions/${world.delivered[0]}`,
    ]) {
      const answer = await client().request(path);
      expect([path, answer.status, answer.headers.get('location')]).toEqual([path, 303, '/console/sign-in']);
    }
  });

  it('signs out with a POST carrying the token: the session ends on the server', async () => {
    const c = await signedIn();
    const overview = await c.request('/console/overview');
    const stolen = c.cookies.get('lgx_console')!;
    const out = await c.request('/console/sign-out', { form: { _csrf: ConsoleClient.token(overview.text) } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/sign-in?signed-out=1');
    const replayed = new ConsoleClient(world.service.url);
    replayed.cookies.set('lgx_console', stolen);
    expect((await replayed.request('/console/overview')).status).toBe(303);
  });

  it('ends the session when its key is revoked', async () => {
    const { key, record } = await createApiKey(world.service.keys, {
      council: world.service.stack.definition.council,
      scopes: ['operator'],
    });
    const c = await signedIn(key);
    expect((await c.request('/console/overview')).status).toBe(200);
    await world.service.keys.revoke(record.id);
    expect((await c.request('/console/overview')).status).toBe(303);
  });
});

describe('security headers', () => {
  it('sends a strict Content-Security-Policy with no script at all, and the other helmet headers', async () => {
    const answer = await client().request('/console/sign-in');
    const csp = answer.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.text).not.toMatch(/<script|style="/);
  });

  it('serves the GOV.UK Frontend stylesheet from the package under /console/assets, without GOV.UK-only fonts', async () => {
    const css = await client().request('/console/assets/govuk-frontend.min.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.text).toContain('.govuk-button');
    expect(css.text).not.toContain('@font-face');
    expect((await client().request('/console/assets/..%2F..%2Fpackage.json')).status).toBe(404);
  });

  it('leaves the REST API as it was: no console headers on /v1', async () => {
    const answer = await client().request('/v1/health/live');
    expect(answer.headers.get('content-security-policy')).toBeNull();
  });
});

describe('one council', () => {
  it("answers 404 for another council's transaction and dead letter, as for an unknown one", async () => {
    const c = await signedIn(world.keys.otherOperator);
    const mine = await c.request(`/console/transactions/${world.otherTransactionId}`);
    expect(mine.status).toBe(200);
    const theirs = await c.request(`/console/transactions/${world.delivered[0]}`);
    expect(theirs.status).toBe(404);
    expect(theirs.text).toContain('Page not found');
    expect((await c.request(`/console/dead-letters/${world.dead.deliveryId}`)).status).toBe(404);
    const list = await c.request('/console/transactions');
    expect(list.text).toContain(world.otherTransactionId);
    expect(list.text).not.toContain(world.delivered[0]);
  });

  it("cannot replay another council's dead letter, even with a valid form token", async () => {
    const c = await signedIn(world.keys.otherOperator);
    const token = ConsoleClient.token((await c.request('/console/dead-letters')).text);
    const answer = await c.request(`/console/dead-letters/${world.dead.deliveryId}/replay`, { form: { _csrf: token, reason: 'probing' } });
    expect(answer.status).toBe(404);
    expect((await world.service.stack.get(world.dead.transactionId))!.state).toBe('dead');
  });
});

describe('transactions', () => {
  it('filters by channel and state, and rejects a bad date naming the field', async () => {
    const c = await signedIn();
    const phone = await c.request('/console/transactions?channel=phone');
    expect(phone.text).toContain(world.delivered[1]);
    expect(phone.text).not.toContain(world.delivered[0]);
    const dead = await c.request('/console/transactions?state=dead');
    expect(dead.text).toContain(world.dead.transactionId);
    expect(dead.text).not.toContain(world.delivered[0]);
    const byRef = await c.request(`/console/transactions?reference=${world.delivered[2]}`);
    expect(byRef.text).toContain(world.delivered[2]);
    expect(byRef.text).not.toContain(world.delivered[1]);
    const bad = await c.request('/console/transactions?from=2026-02-30&channel=carrier-pigeon');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#from"');
    expect(bad.text).toContain('From date must be a real date');
    expect(bad.text).toContain('Channel must be one of');
  });

  it('masks personal data unless the key has the personal-data scope', async () => {
    const operator = await signedIn();
    const masked = await operator.request(`/console/transactions/${world.delivered[0]}`);
    expect(masked.text).not.toContain(PERSONAL_NAME);
    expect(masked.text).toContain('[REDACTED]');
    const caseworker = await signedIn(world.keys.personalData);
    expect((await caseworker.request(`/console/transactions/${world.delivered[0]}`)).text).toContain(PERSONAL_NAME);
  });

  it('records every page that shows personal data in the audit chain, with the key and the transaction', async () => {
    const reads = async () =>
      (await world.service.stack.listAudit({ transactionId: world.delivered[1]! })).filter((e) => e.action === 'personal-data.read');
    const before = (await reads()).length;
    // A masked page is no personal read.
    await (await signedIn()).request(`/console/transactions/${world.delivered[1]}`);
    expect((await reads()).length).toBe(before);
    const caseworker = await signedIn(world.keys.personalData);
    expect((await caseworker.request(`/console/transactions/${world.delivered[1]}`)).text).toContain(PERSONAL_NAME);
    const keyId = /^lgx_([0-9a-f]{12})\./.exec(world.keys.personalData)![1];
    const added = (await reads()).slice(before);
    expect(added).toEqual([
      expect.objectContaining({ actor: `key:${keyId}`, details: { via: 'console', transactionIds: [world.delivered[1]] } }),
    ]);
    expect((await world.service.stack.verifyAudit()).ok).toBe(true);
  });

  it('shows the attempt timeline and errors by class of a dead transaction', async () => {
    const c = await signedIn();
    const page = await c.request(`/console/transactions/${world.dead.transactionId}`);
    expect(page.text).toContain('Errors by class');
    expect(page.text).toMatch(/permanent|invalid/);
    expect(page.text).toContain(`/console/dead-letters/${world.dead.deliveryId}`);
  });
});

describe('dead letters', () => {
  it('rejects a replay without the form token (CSRF), changing nothing', async () => {
    const c = await signedIn();
    const answer = await c.request(`/console/dead-letters/${world.dead.deliveryId}/replay`, { form: { reason: 'back office fixed' } });
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('LGX_ERR_GATEWAY_CSRF');
    const forged = await c.request(`/console/dead-letters/${world.dead.deliveryId}/replay`, {
      form: { _csrf: 'x'.repeat(43), reason: 'back office fixed' },
    });
    expect(forged.status).toBe(403);
    expect((await world.service.stack.get(world.dead.transactionId))!.state).toBe('dead');
  });

  it('needs a reason, and refuses edit and replay to a key without the personal-data scope', async () => {
    const c = await signedIn();
    const page = await c.request(`/console/dead-letters/${world.dead.deliveryId}`);
    const token = ConsoleClient.token(page.text);
    const noReason = await c.request(`/console/dead-letters/${world.dead.deliveryId}/discard`, { form: { _csrf: token, reason: '  ' } });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Enter why you discard this dead letter');
    expect(noReason.text).toContain('href="#discard-reason"');
    expect((await c.request(`/console/dead-letters/${world.dead.deliveryId}/edit`)).status).toBe(403);
    expect(page.text).not.toContain('/edit"');
  });

  it('re-validates an edited transaction and names the field, then replays it audited with the key id', async () => {
    const c = await signedIn(world.keys.personalData);
    const edit = await c.request(`/console/dead-letters/${world.dead.deliveryId}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain(PERSONAL_NAME);
    const token = ConsoleClient.token(edit.text);
    const envelope = (await world.service.stack.get(world.dead.transactionId))!.transaction.envelope!;
    const invalid = { ...envelope, data: { ...(envelope.data as object), uprn: 'not-a-uprn' } };
    const refused = await c.request(`/console/dead-letters/${world.dead.deliveryId}/edit`, {
      form: { _csrf: token, envelope: JSON.stringify(invalid), reason: 'fix the uprn' },
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('/data/uprn');
    const notJson = await c.request(`/console/dead-letters/${world.dead.deliveryId}/edit`, {
      form: { _csrf: token, envelope: '{', reason: 'fix' },
    });
    expect(notJson.text).toContain('The transaction must be JSON');
    const fixed = { ...envelope, data: { ...(envelope.data as object), uprn: '100023336998' } };
    const done = await c.request(`/console/dead-letters/${world.dead.deliveryId}/edit`, {
      form: { _csrf: token, envelope: JSON.stringify(fixed), reason: 'fix the uprn' },
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/console/transactions/${world.dead.transactionId}?done=replayed`);
    const keyId = /^lgx_([0-9a-f]{12})\./.exec(world.keys.personalData)![1];
    const audit = await world.service.stack.listAudit({ transactionId: world.dead.transactionId });
    expect(audit.find((e) => e.action === 'dlq.replay')).toMatchObject({
      actor: `key:${keyId}`,
      details: expect.objectContaining({ reason: 'fix the uprn' }),
    });
    await waitFor(
      async () => (await world.service.stack.get(world.dead.transactionId))?.state === 'delivered',
      'the edited transaction delivered',
    );
    const auditPage = await c.request('/console/audit');
    expect(auditPage.text).toContain('The audit chain is whole');
    expect(auditPage.text).toContain(`key:${keyId}`);
  });
});

describe('reports', () => {
  const thisMonth = new Date().toISOString().slice(0, 7);
  const csvRows = (text: string) => {
    const [header, ...rows] = text.trimEnd().split('\r\n');
    const columns = header!.split(',');
    return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [columns[i]!, v])));
  };

  it("charts the council's transactions by channel with a data table, and downloads the same figures as CSV", async () => {
    const c = await signedIn();
    const page = await c.request('/console/reports/transactions-by-channel?period=month&group=channel&measure=count');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<svg class="lgx-chart" role="img" aria-labelledby="chart-title chart-desc"/);
    expect(page.text).toContain('<caption class="govuk-table__caption govuk-table__caption--m">The figures</caption>');
    const link = /href="(\/console\/reports\/transactions-by-channel\?[^"]*format=csv)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
    const csv = await c.request(link);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="transactions-by-channel-month-/);
    expect(csv.text.split('\r\n')[0]).toBe('_id,_timestamp,end_at,period,council,channel,count');
    const now = csvRows(csv.text).filter((r) => r._timestamp!.startsWith(thisMonth));
    // LGX's channels as GDS counts them: web is digital, phone telephone_human.
    expect(Object.fromEntries(now.map((r) => [r.channel, Number(r.count)]))).toEqual({ digital: 2, telephone_human: 1, face_to_face: 1 });
    expect(new Set(csvRows(csv.text).map((r) => r.council))).toEqual(new Set([world.service.stack.definition.council]));
  });

  it("shows another council's key only its own council's figures", async () => {
    const c = await signedIn(world.keys.otherOperator);
    const csv = await c.request('/console/reports/transactions-by-channel?period=month&group=channel&measure=count&format=csv');
    const now = csvRows(csv.text).filter((r) => r._timestamp!.startsWith(thisMonth));
    expect(Object.fromEntries(now.map((r) => [r.channel, Number(r.count)]))).toEqual({ digital: 1 });
  });

  it('names the field of a bad query, and answers 404 for an unknown data-set', async () => {
    const c = await signedIn();
    const bad = await c.request('/console/reports/service-kpis?period=month&start_at=2026-13-01');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#start_at"');
    const group = await c.request('/console/reports/service-kpis?group=colour');
    expect(group.status).toBe(400);
    expect(group.text).toContain('Group by must be one of');
    expect((await c.request('/console/reports/everything')).status).toBe(404);
  });
});
