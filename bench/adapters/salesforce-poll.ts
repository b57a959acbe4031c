/**
 * The Salesforce adapter's status polling at volume: 100,000 Cases LGX sent, every one moved to
 * Working since the last poll. `pollUpdates` from the cursor of that last poll (one getUpdated window,
 * then the changed Cases 2000 at a time through sObject Collections, each compared with what the
 * cursor remembers, and the next cursor written) against a raw HTTP client making the same getUpdated
 * call and the same 50 retrieve calls with the same token and parsing them, on the same simulated org
 * in the same process. Rounds alternate between the two; the best of each is compared. Run:
 *   npx tsx bench/adapters.ts salesforce-poll
 */
import * as http from 'node:http';
import axios from 'axios';
import { instantiateAdapter } from '@lgx/core/host';
import { compareRates } from '../rate';
import { salesforceSimulatorConfig, startSalesforceSimulator } from '../../packages/adapters/salesforce/src/testing';
import adapter from '../../packages/adapters/salesforce/src';

const CHUNK = 2000;

export async function benchAdapter(options: { rows?: number; rounds?: number } = {}) {
  const rows = options.rows ?? 100_000;
  const rounds = options.rounds ?? 3;
  // One clock for the org and the adapter, so every pass reads the same window.
  let t = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000 + 30_000;
  const clock = { now: () => new Date(t) };
  const sim = await startSalesforceSimulator({ apiLimit: 100_000_000, now: () => t });
  const { instance } = await instantiateAdapter(adapter, salesforceSimulatorConfig(sim, 'client-credentials'), { retry: false, clock });
  const signal = () => AbortSignal.timeout(600_000);

  const first = await instance.pollUpdates!(undefined, { signal: signal() });
  const ids: string[] = [];
  for (let i = 0; i < rows; i++) ids.push(sim.insertCase({ Subject: `case ${i}`, LGX_Transaction_Id__c: `tx-${i}` }));
  t += 60_000;
  // Staff start work on every one of them.
  for (const id of ids) sim.setCaseStatus(id, 'Working');
  t += 60_000;

  const lgxCall = async () => {
    const r = await instance.pollUpdates!(first.cursor, { signal: signal() });
    if (r.updates.length !== rows) throw new Error(`pollUpdates reported ${r.updates.length} changes, expected ${rows}`);
  };
  // The raw client asks for exactly the window and fields the adapter asks for (captured from one poll).
  await lgxCall();
  const window = sim.requests.filter((r) => r.path.endsWith('/updated/')).at(-1)!;
  const fields = (JSON.parse(sim.requests.find((r) => r.path.endsWith('/composite/sobjects/Case'))!.body) as { fields: string[] }).fields;
  sim.requests.length = 0;

  const token = (await (
    await fetch(`${sim.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret }),
    })
  ).json()) as { access_token: string; instance_url: string };
  const rawCall = async () => {
    // A fresh keep-alive agent per call: a socket left idle through the adapter's round would outlive
    // the server's keep-alive and be reset.
    const agent = new http.Agent({ keepAlive: true });
    const raw = axios.create({
      baseURL: `${token.instance_url}/services/data/v61.0`,
      httpAgent: agent,
      responseType: 'text',
      headers: { authorization: `Bearer ${token.access_token}`, accept: 'application/json' },
    });
    try {
      await readChanges(raw);
    } finally {
      agent.destroy();
    }
  };
  const readChanges = async (raw: ReturnType<typeof axios.create>) => {
    const changed = JSON.parse(
      (await raw.get<string>('/sobjects/Case/updated/', { params: { start: window.query.start, end: window.query.end } })).data,
    ) as { ids: string[] };
    let seen = 0;
    for (let i = 0; i < changed.ids.length; i += CHUNK) {
      const records = JSON.parse(
        (
          await raw.post<string>(
            '/composite/sobjects/Case',
            { ids: changed.ids.slice(i, i + CHUNK), fields },
            { headers: { 'content-type': 'application/json' } },
          )
        ).data,
      ) as Array<{ Status?: string } | null>;
      seen += records.filter((r) => r?.Status === 'Working').length;
    }
    if (seen !== rows) throw new Error(`raw client read ${seen} changes, expected ${rows}`);
  };

  const best = await compareRates({
    adapter: lgxCall,
    raw: rawCall,
    total: 1,
    concurrency: 1,
    rounds,
    warmup: 1,
    perCall: rows,
    // The simulator records every request: forget them between passes.
    beforePass: () => void (sim.requests.length = 0),
  });
  await instance.close?.();
  await sim.close();
  return { adapter: 'salesforce-poll', unit: 'changes read', operations: rows, concurrency: 1, ...best };
}
