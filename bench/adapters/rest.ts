/**
 * Overhead of the declarative REST adapter (the Fieldbook example mapping: JSONata body, Idempotency-Key,
 * receipt mapping) against a raw HTTP client posting the same body with the same headers to the same
 * simulator, in the same process at the same concurrency (rounds alternate; best of each compared).
 *   npx tsx bench/adapters.ts rest
 */
import * as http from 'node:http';
import axios from 'axios';
import { createTransaction } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { loadFixtures } from '@lgx/testkit';
import { compareRates } from '../rate';
import { startFieldbookSimulator, FIELDBOOK_TOKEN } from '../../packages/adapters/rest/src/testing';
import adapter, { fieldbookExampleConfig } from '../../packages/adapters/rest/src';

export async function benchAdapter(options: { total?: number; concurrency?: number; rounds?: number } = {}) {
  const total = options.total ?? 2000;
  const concurrency = options.concurrency ?? 8;
  const rounds = options.rounds ?? 8;
  const sim = await startFieldbookSimulator({ auth: 'bearer' });
  const config = {
    ...fieldbookExampleConfig({ baseUrl: sim.baseUrl, tokenUrl: sim.tokenUrl, clientId: 'unused', clientSecret: 'unused' }),
    auth: { type: 'bearer' as const, token: FIELDBOOK_TOKEN },
  };
  const { instance } = await instantiateAdapter(adapter, config, { retry: false });
  const data = loadFixtures('waste.missedCollection', { kind: 'valid' }).find((f) => f.name === 'recycling-bin-out-not-emptied')!.data;
  const tx = createTransaction('waste.missedCollection', data, { council: 'E07000223', idempotencyKey: 'bench' });

  // The raw client sends exactly the body the adapter sends (captured from one adapter call).
  await instance.submit!(tx, { signal: AbortSignal.timeout(5000) });
  const body = sim.requests.find((r) => r.method === 'POST' && r.path === '/v2/requests')!.body;
  const agent = new http.Agent({ keepAlive: true });
  const raw = axios.create({
    baseURL: `${sim.baseUrl}/`,
    httpAgent: agent,
    responseType: 'text',
    headers: { authorization: `Bearer ${FIELDBOOK_TOKEN}`, 'content-type': 'application/json' },
  });
  let round = 0;
  const key = (side: string, i: number) => `${side}-${round}-${i}`;
  const rawCall = (i: number) => raw.post('requests', body, { headers: { 'idempotency-key': key('raw', i) } });
  const signal = new AbortController().signal;
  const lgxCall = (i: number) => instance.submit!({ ...tx, idempotencykey: key('lgx', i) }, { signal });

  const best = await compareRates({
    adapter: lgxCall,
    raw: rawCall,
    total,
    concurrency,
    rounds,
    beforePass: (r) => ((round = r), sim.reset()),
  });
  agent.destroy();
  await sim.close();
  return { adapter: 'rest', operations: total, concurrency, ...best };
}
