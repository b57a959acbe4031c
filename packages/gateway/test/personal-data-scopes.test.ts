import { collectMarkedTexts, createTransaction, schemaRegistry } from '@lgx/core';
import type { AuditEntry } from '@lgx/runtime';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { createApiKey, scopeNamed } from '../src';
import { callGateway } from './helpers/call-gateway';
import { COUNCIL, startHarness, type Harness } from './helpers/gateway-harness';

let h: Harness;
let submitKey: string;
let readKey: string;
let personalKey: string;
let personalKeyId: string;

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
/** What an officer wrote back, naming the resident: personal data in a status update's texts. */
const NOTE = 'Spoke to Sam Example, crew will return Thursday';
/** Two Open311 requests: a description and an address each, both personal data. */
const OPEN311_REQUESTS: Array<[description: string, address: string]> = [
  ['Pothole outside the house of Robin Quill', '14 Larkspur Way'],
  ['Sunken drain cover near Juniper Hale', '3 Wrenfield Close'],
];
const OPEN311_TEXTS = OPEN311_REQUESTS.flat();

const call = (path: string, key: string) => callGateway(h.url, 'GET', path, { key });
const open311 = async (resource: string, query: Record<string, string>) => {
  const response = await fetch(`${h.url}/open311/v2/${resource}?${new URLSearchParams({ jurisdiction_id: 'example.gov.uk', ...query })}`);
  return { status: response.status, text: await response.text() };
};
const personalReads = async (): Promise<AuditEntry[]> =>
  (await h.stack.listAudit({ limit: 10_000 })).filter((e) => e.action === 'personal-data.read');

/** Every personal value of a missed-collection fixture as it would appear in a response, plus the officer's note. */
function knownValues(data: unknown): string[] {
  const schema = schemaRegistry().get('waste.missedCollection').schema;
  return [...collectMarkedTexts(data, schema, ['x-lgx-pii']).filter((v) => v.length >= 6), NOTE, 'Sam Example'];
}

let txId: string;
let values: string[];
const open311Ids: string[] = [];

beforeAll(async () => {
  h = await startHarness({ bodyLimit: 64 * 1024 });
  submitKey = await h.key(['submit', 'read']);
  readKey = await h.key(['read']);
  const created = await createApiKey(h.keys, { council: COUNCIL, scopes: ['read', 'read:personal'] });
  personalKey = created.key;
  personalKeyId = created.record.id;

  const data = structuredClone(missed[0]) as Record<string, unknown>;
  values = knownValues(data);
  const tx = createTransaction('waste.missedCollection', data as never, { council: COUNCIL, channel: 'web' });
  const res = await callGateway(h.url, 'POST', '/v1/transactions', { key: submitKey, body: tx });
  expect(res.status).toBe(202);
  txId = tx.id;
  await waitFor(async () => (await h.stack.get(txId))?.state === 'delivered', 'delivery');
  const view = await h.stack.get(txId);
  await h.stack.recordStatusUpdate({
    target: 'waste',
    update: {
      transactionId: txId,
      externalRef: view!.deliveries[0]!.receipt!.externalRef,
      status: 'action_scheduled',
      externalStatusCode: 'CALLED SAM EXAMPLE',
      description: NOTE,
      updatedAt: new Date().toISOString(),
    },
  });

  for (const [description, address] of OPEN311_REQUESTS) {
    const form = new URLSearchParams({
      api_key: submitKey,
      jurisdiction_id: 'example.gov.uk',
      service_code: 'POT',
      lat: '52.2053',
      long: '0.1218',
      description,
      address_string: address,
      'attribute[depth]': 'deep',
    });
    const posted = await fetch(`${h.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(posted.status).toBe(200);
    open311Ids.push(((await posted.json()) as Array<{ service_request_id: string }>)[0]!.service_request_id);
  }
});

afterAll(async () => {
  await h.close();
});

describe('a key with the read scope alone', () => {
  it('never sees a known personal value through the REST API or Open311, and its reads are not audited as personal', async () => {
    const before = (await personalReads()).length;
    const bodies = [
      (await call(`/v1/transactions/${txId}`, readKey)).text,
      (await call('/v1/transactions?limit=100', readKey)).text,
      (await open311('requests.json', { api_key: readKey })).text,
      (await open311(`requests/${open311Ids[0]}.json`, { api_key: readKey })).text,
      (await open311('servicerequestupdates.json', { api_key: readKey })).text,
    ];
    // The view is still useful: the transaction, its state and its status are there.
    const detail = JSON.parse(bodies[0]!) as Record<string, unknown>;
    expect(detail).toEqual(expect.objectContaining({ id: txId, state: 'delivered', status: 'action_scheduled' }));
    expect(JSON.parse(bodies[2]!)).toEqual(expect.arrayContaining([expect.objectContaining({ service_request_id: open311Ids[0] })]));
    for (const body of bodies) {
      for (const value of [...values, ...OPEN311_TEXTS]) expect(body.toLowerCase()).not.toContain(value.toLowerCase());
    }
    expect(bodies[0]).toContain('[REDACTED]');
    expect((await personalReads()).length).toBe(before);
  });
});

describe('a key with the personal-data scope (read:personal)', () => {
  it('is stored with the one scope name the API, CLI and console share', async () => {
    expect(scopeNamed('read:personal')).toBe('personal-data');
    expect((await h.keys.find(personalKeyId))?.scopes).toEqual(['read', 'personal-data']);
  });

  it('sees the transaction as stored, and the read is in the audit chain with the key and the id', async () => {
    const res = await call(`/v1/transactions/${txId}`, personalKey);
    expect(res.status).toBe(200);
    for (const value of values) expect(res.text).toContain(value);
    const [entry] = (await personalReads()).filter((e) => e.details?.via === 'api').slice(-1);
    expect(entry).toEqual(
      expect.objectContaining({
        actor: `key:${personalKeyId}`,
        transactionId: txId,
        details: { via: 'api', transactionIds: [txId] },
      }),
    );
    // The chain holds ids, never the values shown.
    for (const value of values) expect(JSON.stringify(entry)).not.toContain(value);
    expect((await h.stack.verifyAudit()).ok).toBe(true);
  });

  it('reads an Open311 list page with one audit entry listing every request shown', async () => {
    const before = (await personalReads()).length;
    const res = await open311('requests.json', { api_key: personalKey });
    expect(res.status).toBe(200);
    for (const text of OPEN311_TEXTS) expect(res.text).toContain(text);
    const shown = (JSON.parse(res.text) as Array<{ service_request_id: string }>).map((r) => r.service_request_id);
    const added = (await personalReads()).slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toEqual(
      expect.objectContaining({ actor: `key:${personalKeyId}`, details: { via: 'open311', transactionIds: shown } }),
    );
    expect(shown).toEqual(expect.arrayContaining(open311Ids));
    expect((await h.stack.verifyAudit()).ok).toBe(true);
  });

  it('does not audit a list of summaries, which holds no personal data', async () => {
    const before = (await personalReads()).length;
    const res = await call('/v1/transactions?limit=100', personalKey);
    expect(res.status).toBe(200);
    for (const value of values) expect(res.text).not.toContain(value);
    expect((await personalReads()).length).toBe(before);
  });
});
