/**
 * Overhead of the GOV.UK Pay adapter against a raw HTTP client posting the same create-payment body
 * (with the same Bearer key and an Idempotency-Key) to the same simulator endpoint (POST /v1/payments),
 * in the same process at the same concurrency. The simulator's 15 POSTs a second limit is lifted.
 * Rounds alternate between the two; the best of each is compared. Run:
 *   npx tsx bench/adapters.ts govuk-pay
 */
import * as http from 'node:http';
import { compareRates } from '../rate';
import axios from 'axios';
import { instantiateAdapter } from '@lgx/core/host';
import { loadFixtures } from '@lgx/testkit';
import { startGovukPaySimulator } from '../../packages/adapters/govuk-pay/src/testing';
import adapter from '../../packages/adapters/govuk-pay/src';
import { createTransaction } from '@lgx/core';

export async function benchAdapter(options: { total?: number; concurrency?: number; rounds?: number } = {}) {
  const total = options.total ?? 2000;
  const concurrency = options.concurrency ?? 8;
  const rounds = options.rounds ?? 5;
  const sim = await startGovukPaySimulator({ postsPerSecond: null });
  const { instance } = await instantiateAdapter(adapter, { baseUrl: sim.url, apiKey: sim.apiKey }, { retry: false });
  const data = loadFixtures('payment', { kind: 'valid', version: 2 }).find((f) => f.name === 'parking-permit-with-line-items')!.data;
  const tx = createTransaction('payment', data, { council: 'E07000223', idempotencyKey: 'bench', version: 2 });

  // The raw client sends exactly the body the adapter sends (captured from one adapter call).
  await instance.submit!(tx, { signal: AbortSignal.timeout(5000) });
  const body = sim.requests.find((r) => r.method === 'POST')!.body;
  const agent = new http.Agent({ keepAlive: true });
  const raw = axios.create({ baseURL: sim.url, httpAgent: agent, responseType: 'text' });
  let round = 0;
  const key = (i: number) => `bench-${round}-${i}`;
  const rawCall = (i: number) =>
    raw.post('/v1/payments', body, {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sim.apiKey}`, 'idempotency-key': `raw-${key(i)}` },
    });
  const lgxCall = (i: number) => instance.submit!({ ...tx, idempotencykey: `lgx-${key(i)}` }, { signal: AbortSignal.timeout(10_000) });

  const best = await compareRates({
    adapter: lgxCall,
    raw: rawCall,
    total,
    concurrency,
    rounds,
    beforePass: (r) => {
      round = r;
      sim.reset();
    },
  });
  await instance.close?.();
  agent.destroy();
  await sim.close();
  return { adapter: 'govuk-pay', operations: total, concurrency, ...best };
}
