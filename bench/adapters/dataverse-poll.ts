/**
 * The Dataverse adapter's status polling at volume: 100,000 cases LGX sent, every one resolved since
 * the last poll. `pollUpdates` from the cursor of that last poll (following the delta link through
 * every page, comparing each row with what the cursor remembers, writing the next cursor) against a
 * raw HTTP client following the same delta link through the same pages with the same token and
 * headers and parsing them, on the same simulator in the same process. 5000 rows a page (the Web API's
 * largest). Rounds alternate between the two; the best of each is compared. Run:
 *   npx tsx bench/adapters.ts dataverse-poll
 */
import * as http from 'node:http';
import axios from 'axios';
import { instantiateAdapter } from '@lgx/core/host';
import { compareRates } from '../rate';
import { dataverseSimulatorConfig, startDataverseSimulator } from '../../packages/adapters/dataverse/src/testing';
import adapter from '../../packages/adapters/dataverse/src';

const PAGE = 5000;

export async function benchAdapter(options: { rows?: number; rounds?: number } = {}) {
  const rows = options.rows ?? 100_000;
  const rounds = options.rounds ?? 3;
  const sim = await startDataverseSimulator({ serviceProtection: null });
  const { instance } = await instantiateAdapter(adapter, { ...dataverseSimulatorConfig(sim), maxPageSize: PAGE }, { retry: false });

  // The council's table: `rows` open cases LGX sent, as the adapter's first poll reads them.
  const at = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  for (let i = 0; i < rows; i++) {
    const id = `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, '0').slice(-12)}`;
    sim.state.incidents.set(id, {
      id,
      version: ++sim.state.version,
      values: { title: `case ${i}`, statecode: 0, statuscode: 1, createdon: at, modifiedon: at, lgx_transactionid: `tx-${i}` },
    });
  }
  const signal = () => AbortSignal.timeout(600_000);
  const first = await instance.pollUpdates!(undefined, { signal: signal() });
  if (first.updates.length !== 0) throw new Error(`first poll reported ${first.updates.length} updates of unchanged cases`);
  const deltaLink = (JSON.parse(Buffer.from(first.cursor, 'base64url').toString('utf8')) as { link: string }).link;
  if (!deltaLink.includes('$deltatoken=')) throw new Error('the first poll did not end on a delta link');
  // Staff resolve every one of them.
  for (const id of sim.state.incidents.keys()) sim.resolve(id);

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
    'odata-version': '4.0',
    'odata-maxversion': '4.0',
    'if-none-match': 'null',
    prefer: `odata.track-changes,odata.maxpagesize=${PAGE}`,
  };
  const rawCall = async () => {
    // A fresh keep-alive agent per call, as the adapter's poll opens its own: a socket left idle
    // through the other client's round would outlive the server's keep-alive and be reset.
    const agent = new http.Agent({ keepAlive: true });
    const raw = axios.create({ httpAgent: agent, responseType: 'text' });
    let seen = 0;
    try {
      for (let link: string | undefined = deltaLink; link !== undefined;) {
        const page = JSON.parse((await raw.get<string>(link, { headers })).data) as { value: unknown[]; '@odata.nextLink'?: string };
        seen += page.value.length;
        link = page['@odata.nextLink'];
      }
    } finally {
      agent.destroy();
    }
    if (seen !== rows) throw new Error(`raw client read ${seen} changes, expected ${rows}`);
  };
  const lgxCall = async () => {
    const r = await instance.pollUpdates!(first.cursor, { signal: signal() });
    if (r.updates.length !== rows) throw new Error(`pollUpdates reported ${r.updates.length} changes, expected ${rows}`);
  };

  const best = await compareRates({ adapter: lgxCall, raw: rawCall, total: 1, concurrency: 1, rounds, warmup: 1, perCall: rows });
  await instance.close?.();
  await sim.close();
  return { adapter: 'dataverse-poll', unit: 'changes read', operations: rows, concurrency: 1, ...best };
}
