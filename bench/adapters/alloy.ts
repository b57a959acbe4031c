/**
 * Overhead of the Alloy adapter against a raw HTTP client making the same calls to the same
 * simulator, in the same process at the same concurrency (rounds alternate; best of each compared):
 * - submit: the AQS look-up by LGX id, then POST item, as the adapter sends them;
 * - poll: one pollUpdates over a design holding 100,000 items of which 200 changed in the window
 *   (AQS statistics Count, then the pages of the query), against the same requests replayed raw.
 *   npx tsx bench/adapters.ts alloy alloy-poll
 */
import * as http from 'node:http';
import axios from 'axios';
import { createTransaction } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { loadFixtures } from '@lgx/testkit';
import { compareRates } from '../rate';
import { startAlloySimulator, OPTIONS, REPORT, type AlloySimulator } from '../../packages/adapters/alloy/src/testing';
import adapter, { alloyExampleConfig } from '../../packages/adapters/alloy/src';

const ROWS = 100_000;
const CHANGED = 200;

function rawClient(sim: AlloySimulator) {
  const agent = new http.Agent({ keepAlive: true });
  const client = axios.create({
    baseURL: sim.apiUrl,
    httpAgent: agent,
    responseType: 'text',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
  });
  return { client, agent };
}

export async function benchAlloySubmit(options: { total?: number; concurrency?: number; rounds?: number } = {}) {
  const total = options.total ?? 1000;
  const concurrency = options.concurrency ?? 8;
  const rounds = options.rounds ?? 6;
  const sim = await startAlloySimulator();
  const { instance } = await instantiateAdapter(adapter, alloyExampleConfig(sim.apiUrl, sim.apiKey), { retry: false });
  const data = loadFixtures('street.report', { kind: 'valid' }).find((f) => f.name === 'street-light-by-asset')!.data;
  const tx = createTransaction('street.report', data, { council: 'E07000223', idempotencyKey: 'bench' });

  // The raw client sends exactly what the adapter sends (captured from one adapter call), with its own ids.
  await instance.submit!(tx, { signal: AbortSignal.timeout(5000) });
  const [query, create] = sim.requests.filter((r) => r.method === 'POST');
  const { client, agent } = rawClient(sim);
  let round = 0;
  const id = (side: string, i: number) => `${side}-${round}-${i}`;
  const rawCall = async (i: number) => {
    const key = id('raw', i);
    await client.post(`aqs/query?page=1&pageSize=2`, query!.body.replaceAll(tx.id, key));
    await client.post('item', create!.body.replaceAll(tx.id, key));
  };
  const signal = new AbortController().signal;
  const lgxCall = (i: number) => instance.submit!({ ...tx, id: id('lgx', i) }, { signal });

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
  return { adapter: 'alloy', operations: total, concurrency, ...best };
}

export async function benchAlloyPoll(options: { total?: number; concurrency?: number; rounds?: number } = {}) {
  const total = options.total ?? 40;
  const concurrency = options.concurrency ?? 2;
  const rounds = options.rounds ?? 4;
  const sim = await startAlloySimulator();
  const now = new Date('2026-03-02T12:00:00Z');
  const config = { ...alloyExampleConfig(sim.apiUrl, sim.apiKey), poll: { itemLog: false, maxItems: CHANGED, pageSize: 100 } };
  const { instance } = await instantiateAdapter(adapter, config, { retry: false, clock: { now: () => now } });
  const signal = new AbortController().signal;

  // A cursor from a poll a minute earlier, then the design filled: 100,000 items, 200 edited since.
  const { instance: earlier } = await instantiateAdapter(adapter, config, {
    retry: false,
    clock: { now: () => new Date(now.getTime() - 60_000) },
  });
  const { cursor } = await earlier.pollUpdates!(undefined, { signal });
  for (let i = 0; i < ROWS; i++) {
    const itemId = `b${String(i).padStart(23, '0')}`;
    const edited = new Date(now.getTime() - (i < CHANGED ? 30_000 : 86_400_000)).toISOString();
    sim.state.items.set(itemId, {
      itemId,
      designCode: REPORT.design,
      collection: 'Live',
      attributes: { [REPORT.lgxId]: `lgx-${i}`, [REPORT.status]: [OPTIONS.reportStatus.reported.itemId] },
      parents: {},
      signature: `s${i}`,
      createdDate: edited,
      lastEditDate: edited,
      log: [{ action: 'Create', date: edited, username: 'bench' }],
    });
  }
  const check = await instance.pollUpdates!(cursor, { signal });
  if (check.updates.length !== CHANGED) throw new Error(`alloy poll bench: expected ${CHANGED} updates, got ${check.updates.length}`);

  // The raw client replays the very requests one adapter poll made.
  const first = sim.requests.length;
  await instance.pollUpdates!(cursor, { signal });
  const made = sim.requests.slice(first).map((r) => ({
    path: `${r.path.replace(/^\/api\//, '')}${r.query && Object.keys(r.query).length ? `?${new URLSearchParams(r.query as Record<string, string>)}` : ''}`,
    body: r.body,
  }));
  const { client, agent } = rawClient(sim);
  const rawCall = async () => {
    for (const r of made) await client.post(r.path, r.body);
  };
  const lgxCall = () => instance.pollUpdates!(cursor, { signal });

  const best = await compareRates({ adapter: lgxCall, raw: rawCall, total, concurrency, rounds });
  agent.destroy();
  await sim.close();
  return { adapter: 'alloy poll', operations: total, concurrency, unit: `polls of ${ROWS} items, ${CHANGED} changed`, ...best };
}
