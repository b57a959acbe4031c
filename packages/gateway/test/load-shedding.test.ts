/**
 * Load shedding through the gateway, over HTTP, with real back offices and SQLite files: above a
 * high-water mark, submissions get 503 with Retry-After and nothing is stored; reads and health keep
 * answering; everything accepted is delivered once the back office is back.
 */
import { createTransaction } from '@lgx/core';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { COUNCIL, startHarness, type Harness } from './helpers/gateway-harness';

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;
const pothole = { kind: 'pothole', description: 'Deep pothole by the bus stop', location: { usrn: '8400709' } };

async function submit(h: Harness, key: string, type: string, data: unknown, idempotencyKey: string): Promise<Response> {
  const body = JSON.stringify(createTransaction(type as never, data as never, { council: COUNCIL, channel: 'web', idempotencyKey }));
  return fetch(`${h.url}/v1/transactions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });
}

describe('load shedding: a target above its high-water mark', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness({ loadShedding: { maxTargetQueueDepth: 5, retryAfterSeconds: 7, sampleIntervalMs: 50 } });
    key = await h.key(['submit', 'read']);
  });
  afterAll(() => h.close());

  it('refuses submissions to it with 503 and Retry-After, keeps serving the rest, and delivers everything accepted', async () => {
    // The waste back office is slow: its deliveries queue up.
    h.waste.faults.latency(3000);
    const accepted: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await submit(h, key, 'waste.missedCollection', missed, `flood-${i}`);
      expect(res.status).toBe(202);
      accepted.push(((await res.json()) as { id: string }).id);
    }
    // Once the sample shows the mark reached, the next one is refused, and nothing of it is stored.
    let refused: Response | undefined;
    await waitFor(async () => {
      const res = await submit(h, key, 'waste.missedCollection', missed, `flood-late-${accepted.length}`);
      if (res.status === 202) accepted.push(((await res.json()) as { id: string }).id);
      else refused = res;
      return res.status === 503;
    }, 'a refusal once five are queued for the waste back office');
    expect(refused!.headers.get('retry-after')).toBe('7');
    expect(refused!.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await refused!.json()) as { status: number; code: string; detail: string };
    expect(problem).toMatchObject({ status: 503, code: 'LGX_ERR_GATEWAY_OVERLOADED' });
    expect(problem.detail).toMatch(/queued for 'waste'/);

    // Another back office's submissions, reads, health and the Open311 GETs still answer.
    expect((await submit(h, key, 'street.report', pothole, 'pothole-1')).status).toBe(202);
    expect((await fetch(`${h.url}/v1/transactions/${accepted[0]}`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect((await fetch(`${h.url}/v1/health/live`)).status).toBe(200);
    expect((await fetch(`${h.url}/open311/v2/services.json`)).status).toBe(200);
    // An Open311 client is refused the same way, in its own format.
    const form = new URLSearchParams({
      api_key: key,
      service_code: 'MISSED_REFUSE',
      'attribute[uprn]': '100023336956',
      'attribute[collection_date]': '2026-11-20T07:00:00Z',
    });
    const open311 = await fetch(`${h.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect([open311.status, open311.headers.get('retry-after')]).toEqual([503, '7']);
    expect(((await open311.json()) as Array<{ code: number; description: string }>)[0]).toMatchObject({ code: 503 });

    // The back office is quick again: every accepted transaction is delivered, and the refused ones never existed.
    h.waste.faults.latency(0);
    await waitFor(
      async () => {
        for (const id of accepted) if ((await h.stack.get(id))?.deliveries.some((d) => d.state !== 'delivered')) return false;
        return true;
      },
      'every accepted transaction delivered',
      30_000,
    );
    const stored = await h.stack.list({ types: ['waste.missedCollection'], limit: 100 });
    expect(stored.map((s) => s.transaction.id).sort()).toEqual([...accepted].sort());
    expect(h.waste.state.cases.size).toBe(accepted.length);
    // And submissions are taken again once the queue has drained.
    await waitFor(
      async () => (await submit(h, key, 'waste.missedCollection', missed, 'after-drain')).status === 202,
      'a submission accepted after the drain',
    );
  }, 60_000);
});

describe('load shedding: an event loop that is behind', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness({ loadShedding: { maxEventLoopDelayMs: 20, sampleIntervalMs: 200 } });
    key = await h.key(['submit', 'read']);
  });
  afterAll(() => h.close());

  it('refuses submissions while the process is saturated, and takes them again once it catches up', async () => {
    // Saturate the loop: 80 ms of work at every turn for a little over a second, as a CPU-bound
    // process would be; the sample taken meanwhile shows the delay.
    const until = Date.now() + 1200;
    await new Promise<void>((resolve) => {
      const spin = () => {
        const end = Date.now() + 80;
        while (Date.now() < end) {
          // busy
        }
        if (Date.now() < until) setImmediate(spin);
        else resolve();
      };
      spin();
    });
    const refused = await submit(h, key, 'street.report', pothole, 'while-behind');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/event loop is \d+ ms behind/);
    expect((await fetch(`${h.url}/v1/health/live`)).status).toBe(200);
    await waitFor(
      async () => (await submit(h, key, 'street.report', pothole, 'caught-up')).status === 202,
      'a submission accepted once the loop caught up',
    );
  }, 30_000);
});
