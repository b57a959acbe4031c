/**
 * Overhead of the Open311 adapter against a raw HTTP client posting the same form body to the same
 * simulator endpoint (POST requests.xml), in the same process at the same concurrency. Rounds
 * alternate between the two; the best of each is compared. Run:
 *   npx tsx bench/adapters.ts open311
 */
import * as http from 'node:http';
import { compareRates } from '../rate';
import axios from 'axios';
import { createTransaction } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { loadFixtures } from '@lgx/testkit';
import { startOpen311Simulator } from '../../packages/adapters/open311/src/testing';
import adapter from '../../packages/adapters/open311/src';

export async function benchAdapter(options: { total?: number; concurrency?: number; rounds?: number } = {}) {
  const total = options.total ?? 2000;
  const concurrency = options.concurrency ?? 8;
  const rounds = options.rounds ?? 8;
  const sim = await startOpen311Simulator();
  sim.faults.rateLimit(null);
  const { instance } = await instantiateAdapter(adapter, { baseUrl: sim.endpoint, apiKey: sim.apiKey, format: 'xml' }, { retry: false });
  const data = loadFixtures('street.report', { kind: 'valid' }).find((f) => f.name === 'pothole-with-coordinates')!.data;
  const tx = createTransaction('street.report', data, { council: 'E07000223', idempotencyKey: 'bench' });

  // The raw client sends exactly the body the adapter sends (captured from one adapter call).
  await instance.submit!(tx, { signal: AbortSignal.timeout(5000) });
  const template = sim.requests.find((r) => r.method === 'POST')!.body;
  const agent = new http.Agent({ keepAlive: true });
  const raw = axios.create({ baseURL: `${sim.endpoint}/`, httpAgent: agent, responseType: 'text' });
  let round = 0;
  const key = (i: number) => `bench-${round}-${i}`;
  const rawCall = (i: number) =>
    raw.post('requests.xml', template.replace('lgx_idempotency_key%5D=bench', `lgx_idempotency_key%5D=raw-${key(i)}`), {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  // One long-lived signal, as a runtime's shutdown signal; the transport adds its own timeout per call.
  const signal = new AbortController().signal;
  const lgxCall = (i: number) => instance.submit!({ ...tx, idempotencykey: `lgx-${key(i)}` }, { signal });

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
  return { adapter: 'open311', operations: total, concurrency, ...best };
}
