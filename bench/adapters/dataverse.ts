/**
 * Overhead of the Dataverse adapter against a raw HTTP client sending the same create-only upsert
 * (PATCH incidents(lgx_transactionid='…') with If-None-Match: *, Prefer: return=representation, the
 * same OData headers, Bearer token and body) to the same simulator, in the same process at the same
 * concurrency. Service protection limits are lifted; each pass starts on an empty incident table.
 * Rounds alternate between the two; the best of each is compared. Run:
 *   npx tsx bench/adapters.ts dataverse
 */
import * as http from 'node:http';
import axios from 'axios';
import { createTransaction } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { loadFixtures } from '@lgx/testkit';
import { compareRates } from '../rate';
import { dataverseSimulatorConfig, startDataverseSimulator } from '../../packages/adapters/dataverse/src/testing';
import adapter from '../../packages/adapters/dataverse/src';

export async function benchAdapter(options: { total?: number; concurrency?: number; rounds?: number } = {}) {
  const total = options.total ?? 2000;
  const concurrency = options.concurrency ?? 8;
  const rounds = options.rounds ?? 5;
  const sim = await startDataverseSimulator({ serviceProtection: null });
  const { instance } = await instantiateAdapter(adapter, dataverseSimulatorConfig(sim), { retry: false });
  const data = { ...loadFixtures('crm.case', { kind: 'valid' }).find((f) => f.name === 'complaint-from-known-contact')!.data };
  // A case filed under the anonymous account: one request per submit, as for most web-form cases.
  delete data.contact;
  const tx = createTransaction('crm.case', data, { council: 'E07000223', idempotencyKey: 'bench' });

  // The raw client sends exactly what the adapter sends (captured from one adapter call), with its own token.
  await instance.submit!(tx, { signal: AbortSignal.timeout(5000) });
  const sent = sim.requests.find((r) => r.method === 'PATCH')!;
  const token = (await (
    await fetch(`${sim.authorityHost}/${sim.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sim.clientId,
        client_secret: sim.clientSecret,
        scope: `${sim.url}/.default`,
      }),
    })
  ).json()) as { access_token: string };
  const headers = {
    authorization: `Bearer ${token.access_token}`,
    accept: 'application/json',
    'content-type': 'application/json',
    'odata-version': '4.0',
    'odata-maxversion': '4.0',
    'if-none-match': '*',
    prefer: 'return=representation',
  };
  const agent = new http.Agent({ keepAlive: true });
  const raw = axios.create({ baseURL: `${sim.apiUrl}/`, httpAgent: agent, responseType: 'text' });
  let round = 0;
  const key = (i: number) => `bench-${round}-${i}`;
  const rawCall = (i: number) => raw.patch(`incidents(lgx_transactionid='raw-${key(i)}')`, sent.body, { headers, params: sent.query });
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
      // Empty the table, keep the tokens: both sides keep theirs.
      sim.state.incidents.clear();
      sim.requests.length = 0;
    },
  });
  await instance.close?.();
  agent.destroy();
  await sim.close();
  return { adapter: 'dataverse', operations: total, concurrency, ...best };
}
