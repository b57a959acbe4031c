/**
 * Overhead of the declarative SOAP adapter (Streetworks Exchange example mapping: JSONata request and
 * response mappings, fault rules, session token header) against a raw HTTP client posting the same
 * RaiseDefect envelope, with the same session token and a fresh ClientReference, to the same
 * simulator endpoint, in the same process at the same concurrency. The simulator has no rate limit.
 * Rounds alternate between the two; the best of each is compared. Run:
 *   npx tsx bench/adapters.ts soap
 */
import * as http from 'node:http';
import { compareRates } from '../rate';
import axios from 'axios';
import { createTransaction } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { loadFixtures } from '@lgx/testkit';
import { startStreetWorksSimulator, STREET_WORKS_PASSWORD, STREET_WORKS_USERNAME } from '../../packages/adapters/soap/src/testing';
import * as soapAdapter from '../../packages/adapters/soap/src';

export async function benchAdapter(options: { total?: number; concurrency?: number; rounds?: number } = {}) {
  const total = options.total ?? 2000;
  const concurrency = options.concurrency ?? 8;
  const rounds = options.rounds ?? 5;
  const sim = await startStreetWorksSimulator({ sessionTtlMs: 24 * 3600_000 });
  const config = soapAdapter.streetWorksExampleConfig(sim.wsdlUrl, { username: STREET_WORKS_USERNAME, password: STREET_WORKS_PASSWORD });
  const { instance } = await instantiateAdapter(soapAdapter.default, config, { retry: false });
  const data = loadFixtures('street.report', { kind: 'valid' }).find((f) => f.name === 'pothole-with-coordinates')!.data;
  const tx = createTransaction('street.report', data, { council: 'E07000223', idempotencyKey: 'bench' });

  // The raw client sends exactly the envelope the adapter sends (captured from one adapter call,
  // session header included), with its own ClientReference per defect.
  await instance.submit!(tx, { signal: AbortSignal.timeout(5000) });
  const sent = sim.requests.find((r) => r.method === 'POST' && r.body.includes('RaiseDefect'))!;
  const envelope = sent.body;
  const headers = { 'content-type': String(sent.headers['content-type']), soapaction: String(sent.headers.soapaction) };
  const agent = new http.Agent({ keepAlive: true });
  const raw = axios.create({ httpAgent: agent, responseType: 'text' });
  let round = 0;
  const key = (i: number) => `bench-${round}-${i}`;
  const rawCall = async (i: number) => {
    const body = envelope.replace(/<ClientReference>[^<]*<\/ClientReference>/, `<ClientReference>raw-${key(i)}</ClientReference>`);
    const res = await raw.post<string>(sim.endpoint, body, { headers });
    const ref = /<(?:\w+:)?DefectReference>([^<]+)</.exec(res.data)?.[1];
    if (ref === undefined) throw new Error('no DefectReference in the answer');
    return ref;
  };
  const lgxCall = (i: number) => instance.submit!({ ...tx, idempotencykey: `lgx-${key(i)}` }, { signal: AbortSignal.timeout(10_000) });

  // No reset between rounds: it would end the session both clients use. Keys are unique per round.
  const best = await compareRates({
    adapter: lgxCall,
    raw: rawCall,
    total,
    concurrency,
    rounds,
    beforePass: (r) => {
      round = r;
      sim.requests.length = 0;
    },
  });
  await instance.close?.();
  agent.destroy();
  await sim.close();
  return { adapter: 'soap', operations: total, concurrency, ...best };
}
