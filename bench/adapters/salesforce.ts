/**
 * Overhead of the Salesforce adapter against a raw HTTP client sending the same composite request
 * (upsert the Case by external id, then read it back: one API call) with the same Bearer token and
 * body to the same simulated org, in the same process at the same concurrency. Both use the client
 * credentials flow; the daily API allocation is lifted; each pass starts with no Cases. Rounds
 * alternate between the two; the best of each is compared. Run:
 *   npx tsx bench/adapters.ts salesforce
 */
import * as http from 'node:http';
import axios from 'axios';
import { createTransaction } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { loadFixtures } from '@lgx/testkit';
import { compareRates } from '../rate';
import { salesforceSimulatorConfig, startSalesforceSimulator } from '../../packages/adapters/salesforce/src/testing';
import adapter from '../../packages/adapters/salesforce/src';

export async function benchAdapter(options: { total?: number; concurrency?: number; rounds?: number } = {}) {
  const total = options.total ?? 2000;
  const concurrency = options.concurrency ?? 8;
  const rounds = options.rounds ?? 5;
  const sim = await startSalesforceSimulator({ apiLimit: 100_000_000 });
  const { instance } = await instantiateAdapter(adapter, salesforceSimulatorConfig(sim, 'client-credentials'), { retry: false });
  const data = loadFixtures('crm.case', { kind: 'valid' }).find((f) => f.name === 'phone-enquiry-new-person')!.data;
  const tx = createTransaction('crm.case', data, { council: 'E07000223', idempotencyKey: 'bench' });

  // The raw client sends exactly the composite body the adapter sends (captured from one adapter call).
  await instance.submit!(tx, { signal: AbortSignal.timeout(5000) });
  const template = sim.requests.find((r) => r.path.endsWith('/composite'))!.body;
  const token = (await (
    await fetch(`${sim.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret }),
    })
  ).json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token.access_token}`, accept: 'application/json', 'content-type': 'application/json' };
  const agent = new http.Agent({ keepAlive: true });
  const raw = axios.create({ baseURL: sim.url, httpAgent: agent, responseType: 'text' });
  let round = 0;
  const key = (i: number) => `bench-${round}-${i}`;
  const rawCall = (i: number) => raw.post('/services/data/v61.0/composite', template.split(tx.id).join(`raw-${key(i)}`), { headers });
  const signal = new AbortController().signal;
  const lgxCall = (i: number) => instance.submit!({ ...tx, id: `lgx-${key(i)}` }, { signal });

  const best = await compareRates({
    adapter: lgxCall,
    raw: rawCall,
    total,
    concurrency,
    rounds,
    beforePass: (r) => {
      round = r;
      // No Cases, the sessions kept: both sides keep their tokens.
      sim.state.cases.clear();
      sim.requests.length = 0;
    },
  });
  await instance.close?.();
  agent.destroy();
  await sim.close();
  return { adapter: 'salesforce', operations: total, concurrency, ...best };
}
