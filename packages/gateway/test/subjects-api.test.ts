import { randomBytes } from 'node:crypto';
import { createTransaction } from '@lgx/core';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { callGateway } from './helpers/call-gateway';
import { COUNCIL, OTHER_COUNCIL, startHarness, type Harness } from './helpers/gateway-harness';

let h: Harness;
const fixture = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data as unknown as {
  requester: { person: Record<string, unknown> };
};
const A = { givenName: 'Wilhelmina', familyName: 'Ashcombe-Pryce', email: 'w.ashcombe@example.org' };
const B = { givenName: 'Cedric', familyName: 'Penhaligon', email: 'cedric.p@example.net' };

async function submit(person: typeof A): Promise<string> {
  const data = structuredClone(fixture);
  data.requester.person = { ...data.requester.person, ...person };
  const tx = createTransaction('waste.missedCollection', data as never, { council: COUNCIL, channel: 'web' });
  await h.stack.submit(tx);
  return tx.id;
}

beforeAll(async () => {
  h = await startHarness({}, { key: randomBytes(32).toString('base64') });
});
afterAll(() => h.close());

const call = (method: 'GET' | 'POST', path: string, key: string, body?: unknown) =>
  callGateway(h.url, method, path, { key, ...(body !== undefined ? { body } : {}) });

describe('/v1/subjects', () => {
  it('finds, exports and erases one person for an admin key, each refusal naming its field', async () => {
    const mine = await submit(A);
    const theirs = await submit(B);
    await waitFor(
      async () => (await h.stack.get(mine))?.state === 'delivered' && (await h.stack.get(theirs))?.state === 'delivered',
      'both delivered',
    );
    const admin = await h.key(['admin']);
    const reader = await h.key(['read', 'personal-data']);
    const q = `email=${encodeURIComponent(' W.Ashcombe@example.org')}`;

    expect((await call('GET', `/v1/subjects?${q}`, reader)).status).toBe(403);
    const found = await call('GET', `/v1/subjects?${q}`, admin);
    expect(found.status).toBe(200);
    expect(found.headers.get('cache-control')).toBe('no-store');
    expect(found.json).toEqual({
      council: COUNCIL,
      transactions: [expect.objectContaining({ id: mine, type: 'waste.missedCollection', state: 'delivered' })],
    });
    expect(found.text).not.toContain(A.familyName);

    for (const [path, field] of [
      ['/v1/subjects', 'selector'],
      [`/v1/subjects?${q}&phone=01223457000`, 'email,phone'],
      ['/v1/subjects?email=nobody', 'email'],
      [`/v1/subjects?${q}&${q}`, 'email'],
      [`/v1/subjects?${q}&council=${OTHER_COUNCIL}`, 'council'],
    ] as const) {
      const refused = await call('GET', path, admin);
      expect([refused.status, refused.json.code]).toEqual([400, 'LGX_ERR_SUBJECT_SELECTOR']);
      expect(refused.json.detail).toContain(field === 'selector' ? 'one of email' : field.split(',')[0]);
    }
    // The other council keeps no subject index (no encryption key): said so, not "nothing held".
    const other = await call('GET', `/v1/subjects?${q}`, await h.key(['admin'], OTHER_COUNCIL));
    expect([other.status, other.json.code]).toEqual([422, 'LGX_ERR_SUBJECT_NO_INDEX']);

    const exported = await call('GET', `/v1/subjects/export?${q}`, admin);
    expect(exported.status).toBe(200);
    expect(exported.text).toContain(A.familyName);
    expect(exported.text).not.toContain(B.email);
    const read = (await h.stack.listAudit()).filter((e) => e.action === 'personal-data.read').at(-1);
    expect(read).toMatchObject({ actor: expect.stringMatching(/^key:/), details: { via: 'api', transactionIds: [mine] } });

    const unconfirmed = await call('POST', '/v1/subjects/erase', admin, { email: A.email });
    expect([unconfirmed.status, unconfirmed.json.code]).toEqual([400, 'LGX_ERR_SUBJECT_CONFIRM']);
    const erased = await call('POST', '/v1/subjects/erase', admin, { email: A.email, confirm: 'erase' });
    expect(erased.status).toBe(200);
    expect((erased.json.transactions as Array<{ transactionId: string }>).map((t) => t.transactionId)).toEqual([mine]);
    expect((await call('GET', `/v1/subjects?${q}`, admin)).json.transactions).toEqual([]);
    expect(JSON.stringify(await h.stack.get(mine, { personalData: true }))).not.toContain(A.familyName);
    expect(JSON.stringify((await h.stack.get(theirs, { personalData: true }))?.transaction.envelope)).toContain(B.familyName);
    expect(await h.stack.verifyAudit()).toEqual({ ok: true });
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await callGateway(h.url, 'GET', '/openapi.json', {})).json as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/v1/subjects']!)).toEqual(['get']);
    expect(Object.keys(doc.paths['/v1/subjects/export']!)).toEqual(['get']);
    expect(Object.keys(doc.paths['/v1/subjects/erase']!)).toEqual(['post']);
  });
});
