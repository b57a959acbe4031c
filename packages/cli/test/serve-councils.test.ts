import { rmSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { councilStackText, lgx, scratch, serveLgx, type Served } from './helpers';

/*
 * One `lgx serve` for a folder of stacks, one per council: each council's keys reach its own
 * transactions only (REST, Open311, console), and the folder is reloaded as files change, without
 * losing a changed stack's deliveries in flight.
 */

jest.setTimeout(180_000);

const A = 'E07000223';
const B = 'E08000025';
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data as { uprn: string };
const env = { EXAMPLE_WASTE_KEY: API_KEY };

let simA: ExampleWasteSimulator;
let simB: ExampleWasteSimulator;
let dir: string;
let folder: string;
let data: string;

const stackText = (council: string, sim: ExampleWasteSimulator, extra: string[] = []) => councilStackText(council, sim.url, extra);

const writeStack = (name: string, text: string) => writeFileSync(path.join(folder, name), text);

async function createKey(council: string, scopes: string): Promise<string> {
  const made = await lgx(['keys', 'create', '--stack', folder, '--data', data, '--council', council, '--scopes', scopes, '--json'], {
    env: { EXAMPLE_WASTE_KEY: '' },
  });
  if (made.code !== 0) throw new Error(`keys create failed: ${made.stderr}`);
  return (JSON.parse(made.stdout) as { key: string }).key;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked by the assertions
async function call(url: string, key: string, method = 'GET', body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
}

async function submit(served: Served, key: string): Promise<string> {
  const answer = await call(`${served.url}/v1/transactions`, key, 'POST', { type: 'waste.missedCollection', data: missed });
  if (answer.status !== 202) throw new Error(`submit answered ${answer.status}: ${JSON.stringify(answer.json)}`);
  return answer.json.id as string;
}

beforeAll(async () => {
  simA = await startExampleWasteSimulator();
  simB = await startExampleWasteSimulator();
});
afterAll(async () => {
  await simA.close();
  await simB.close();
});
beforeEach(() => {
  simA.reset();
  simB.reset();
  dir = scratch();
  folder = path.join(dir, 'councils');
  data = path.join(dir, 'data');
  mkdirSync(folder);
  writeStack('a.yaml', stackText(A, simA));
  writeStack('b.yaml', stackText(B, simB));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const serveFolder = () => serveLgx([folder, '--data', data, '--poll', '60'], { env });

describe('lgx serve <folder>', () => {
  it("keeps each council's transactions to its own keys, through the API, Open311 and the console", async () => {
    const keyA = await createKey(A, 'submit,read,operator');
    const keyB = await createKey(B, 'submit,read,operator');
    const served = await serveFolder();
    try {
      expect(served.stdout()).toContain(`councils ${A}, ${B}`);
      const id = await submit(served, keyA);
      expect((await call(`${served.url}/v1/transactions/${id}`, keyA)).status).toBe(200);
      expect((await call(`${served.url}/v1/transactions/${id}`, keyB)).status).toBe(404);
      await waitFor(async () => simA.requests.filter((r) => r.method === 'POST').length === 1, 'the change', 10_000);
      expect(simB.requests.filter((r) => r.method === 'POST')).toHaveLength(0);

      // Open311: a per-council path, and jurisdiction_id on the shared one.
      const services = await fetch(`${served.url}/open311/${B}/v2/services.json`);
      expect(((await services.json()) as Array<{ service_code: string }>).map((s) => s.service_code)).toEqual(['MISSED_REFUSE']);
      expect((await fetch(`${served.url}/open311/v2/services.json`)).status).toBe(400); // which council?
      const discovery = (await (await fetch(`${served.url}/open311/v2/discovery.json?jurisdiction_id=${B}`)).json()) as {
        contact: string;
      };
      expect(discovery.contact).toBe(`Council ${B}`);
      const form = new URLSearchParams({
        service_code: 'MISSED_REFUSE',
        'attribute[uprn]': missed.uprn,
        'attribute[collection_date]': '2026-11-17T07:00:00Z',
        lat: '51.5',
        long: '-0.12',
      });
      const post = (where: string, key: string) =>
        fetch(`${served.url}${where}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `${form.toString()}&api_key=${encodeURIComponent(key)}`,
        });
      expect((await post(`/open311/${A}/v2/requests.json`, keyB)).status).toBe(403);
      expect((await post(`/open311/v2/requests.json?jurisdiction_id=${A}`, keyB)).status).toBe(403);
      const made = await post(`/open311/${B}/v2/requests.json`, keyB);
      expect(made.status).toBe(200);
      const requestId = ((await made.json()) as Array<{ service_request_id: string }>)[0]!.service_request_id;
      // A's transaction is no request of B's facade, and B's none of A's.
      const readB = (await (
        await fetch(`${served.url}/open311/${B}/v2/requests.json?service_request_id=${id},${requestId}`)
      ).json()) as Array<{
        service_request_id: string;
      }>;
      expect(readB.map((r) => r.service_request_id)).toEqual([requestId]);
      expect((await call(`${served.url}/v1/transactions/${requestId}`, keyA)).status).toBe(404);

      // The console, signed in as council B's operator, shows B's transactions and not A's.
      const jar: string[] = [];
      const consoleGet = async (where: string, init: RequestInit = {}) => {
        const response = await fetch(`${served.url}${where}`, {
          ...init,
          redirect: 'manual',
          headers: { ...(init.headers as Record<string, string>), cookie: jar.join('; ') },
        });
        for (const line of response.headers.getSetCookie()) jar.push(line.split(';')[0]!);
        return { status: response.status, text: await response.text() };
      };
      const signIn = await consoleGet('/console/sign-in');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(signIn.text)![1]!;
      const signedIn = await consoleGet('/console/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, apiKey: keyB }).toString(),
      });
      expect(signedIn.status).toBe(303);
      const list = await consoleGet('/console/transactions');
      expect(list.status).toBe(200);
      expect(list.text).toContain(requestId);
      expect(list.text).not.toContain(id);
      expect((await consoleGet(`/console/transactions/${id}`)).status).toBe(404);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('takes a council added, changed or removed in the folder without restarting the others; a stack that fails validation is refused and the running one kept; a changed stack loses no delivery in flight', async () => {
    const keyA = await createKey(A, 'submit,read');
    const keyB = await createKey(B, 'submit,read');
    writeStack('b.yaml', stackText(B, simB));
    const served = await serveFolder();
    try {
      // A stack that fails validation: refused, with the field named; A and B go on.
      writeStack('b.yaml', stackText(B, simB).replace('mode: one', 'mode: sometimes'));
      await waitFor(async () => /refused .*b\.yaml: .*mode/.test(served.stderr()), 'the change', 10_000);
      expect((await call(`${served.url}/v1/transactions?limit=1`, keyB)).status).toBe(200);

      // Deliveries in flight at B's back office (slow), then B's stack changes: they finish or are handed on.
      simB.faults.latency(1500);
      const ids: string[] = [];
      for (let i = 0; i < 6; i += 1) ids.push(await submit(served, keyB));
      await waitFor(async () => simB.requests.some((r) => r.method === 'POST'), 'the change', 10_000);
      writeStack('b.yaml', stackText(B, simB, ['      timeoutMs: 20000']));
      await waitFor(async () => served.stderr().includes(`changed ${B}`), 'the change', 20_000);
      simB.faults.latency(0);
      await waitFor(
        async () => {
          for (const id of ids) {
            const view = await call(`${served.url}/v1/transactions/${id}`, keyB);
            if (view.json.deliveries?.[0]?.state !== 'delivered') return false;
          }
          return true;
        },
        'the change',
        30_000,
      );
      const keysSeen = new Set(
        simB.requests.filter((r) => r.method === 'POST' && r.outcome === 'handled').map((r) => r.headers['idempotency-key']),
      );
      expect(keysSeen.size).toBe(ids.length);

      // A removed: its keys stop; B goes on. Added back: A's keys work again.
      unlinkSync(path.join(folder, 'a.yaml'));
      await waitFor(async () => served.stderr().includes(`removed ${A}`), 'the change', 20_000);
      expect((await call(`${served.url}/v1/transactions?limit=1`, keyA)).status).toBe(403);
      expect((await call(`${served.url}/v1/transactions?limit=1`, keyB)).status).toBe(200);
      writeStack('a.yaml', stackText(A, simA));
      await waitFor(async () => served.stderr().includes(`added ${A}`), 'the change', 20_000);
      expect((await call(`${served.url}/v1/transactions?limit=1`, keyA)).status).toBe(200);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });
});
