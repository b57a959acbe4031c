/**
 * A flood above the high-water mark, against `lgx serve` in its own process: submissions beyond the
 * mark get 503 with Retry-After and a problem+json body, health keeps answering, and every
 * transaction the gateway accepted is delivered in the end, once each, while none it refused is.
 */
import { rmSync } from 'node:fs';
import { createTransaction } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { lgx, serveLgx, wasteServeFolder } from './helpers';

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;
const env = { EXAMPLE_WASTE_KEY: API_KEY };

let sim: ExampleWasteSimulator;
beforeAll(async () => {
  sim = await startExampleWasteSimulator();
});
afterAll(() => sim.close());

it('answers a flood above --max-target-queue with 503 and Retry-After, and delivers everything it accepted', async () => {
  const { dir, data, stackFile, key } = await wasteServeFolder(sim.url, env);
  // A slow back office: four deliveries in flight at a time, 300 ms each.
  sim.faults.latency(300);
  const serve = await serveLgx([stackFile, '--data', data, '--max-target-queue', '20', '--shed-retry-after', '3'], { env });
  try {
    const post = async (i: number) => {
      const body = JSON.stringify(
        createTransaction('waste.missedCollection', structuredClone(missed) as never, {
          council: 'E07000223',
          channel: 'web',
          idempotencyKey: `flood-${i}`,
        }),
      );
      const res = await fetch(`${serve.url}/v1/transactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      return {
        i,
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        type: res.headers.get('content-type'),
        body: (await res.json()) as { id?: string; code?: string },
      };
    };
    // 12 waves of 25 at once, a quarter of a second apart: 300 submissions over three seconds.
    const answers: Array<Awaited<ReturnType<typeof post>>> = [];
    let healthDuringFlood = 0;
    for (let wave = 0; wave < 12; wave++) {
      const [health, ...batch] = await Promise.all([
        fetch(`${serve.url}/v1/health/live`),
        ...Array.from({ length: 25 }, (_, j) => post(wave * 25 + j)),
      ]);
      healthDuringFlood = health.status;
      answers.push(...batch);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 503);
    expect(accepted.length + refused.length).toBe(300);
    expect(accepted.length).toBeGreaterThanOrEqual(20);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect([r.retryAfter, r.type?.split(';')[0], r.body.code]).toEqual(['3', 'application/problem+json', 'LGX_ERR_GATEWAY_OVERLOADED']);
    }
    expect(healthDuringFlood).toBe(200);

    sim.faults.latency(0);
    const until = Date.now() + 60_000;
    for (const a of accepted) {
      for (;;) {
        const res = await fetch(`${serve.url}/v1/transactions/${a.body.id}`, { headers: { authorization: `Bearer ${key}` } });
        if (((await res.json()) as { state: string }).state === 'delivered') break;
        if (Date.now() > until) throw new Error(`flood-${a.i} not delivered in time; serve stderr: ${serve.stderr().slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // One vendor case per accepted transaction, none for a refused one.
    expect(sim.state.cases.size).toBe(accepted.length);
    expect([...sim.state.keys.keys()].sort()).toEqual(accepted.map((a) => `flood-${a.i}`).sort());
  } finally {
    expect(await serve.stop()).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

it('refuses a high-water mark that is not a whole number in range, naming the option', async () => {
  const bad = await lgx(['serve', 'no-such-stack.yaml', '--max-loop-delay', 'soon']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--max-loop-delay must be a whole number from 0 to 3600000/);
  const negative = await lgx(['serve', 'no-such-stack.yaml', '--max-target-queue=-1']);
  expect(negative.code).toBe(2);
  expect(negative.stderr).toMatch(/--max-target-queue must be a whole number from 0/);
});
