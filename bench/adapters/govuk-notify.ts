/**
 * Overhead of the GOV.UK Notify adapter against a raw HTTP client doing the same work on the same
 * simulator, in the same process at the same concurrency: for each message, a look-up by reference
 * (GET /v2/notifications?reference=&template_type=, what makes a repeated submit safe) and the send
 * (POST /v2/notifications/email) with the same body, each request with a freshly signed HS256 JWT.
 * The simulator's 3,000 a minute and daily limits are lifted. Rounds alternate between the two; the
 * best of each is compared. Run:
 *   npx tsx bench/adapters.ts govuk-notify
 */
import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import { compareRates } from '../rate';
import axios from 'axios';
import { createTransaction } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { loadFixtures } from '@lgx/testkit';
import { GOVUK_NOTIFY_TEST_API_KEY, startGovukNotifySimulator } from '../../packages/adapters/govuk-notify/src/testing';
import adapter from '../../packages/adapters/govuk-notify/src';

/** What a hand-written Notify client does per request: a new HS256 token from the API key. */
function jwt(apiKey: string): string {
  const head = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256' })).toString('base64url');
  const body = Buffer.from(JSON.stringify({ iss: apiKey.slice(-73, -37), iat: Math.floor(Date.now() / 1000) })).toString('base64url');
  return `${head}.${body}.${createHmac('sha256', apiKey.slice(-36)).update(`${head}.${body}`).digest('base64url')}`;
}

export async function benchAdapter(options: { total?: number; concurrency?: number; rounds?: number } = {}) {
  const total = options.total ?? 2000;
  const concurrency = options.concurrency ?? 8;
  const rounds = options.rounds ?? 5;
  const sim = await startGovukNotifySimulator({ rateLimitPerMinute: 1e9, dailyLimits: { email: 1e9, sms: 1e9, letter: 1e9 } });
  const apiKey = GOVUK_NOTIFY_TEST_API_KEY;
  const { instance } = await instantiateAdapter(adapter, { baseUrl: sim.url, apiKey }, { retry: false });
  const data = loadFixtures('notification', { kind: 'valid' }).find((f) => f.name === 'email-permit-confirmation')!.data;
  const tx = createTransaction('notification', data, { council: 'E07000223', idempotencyKey: 'bench' });

  // The raw client sends exactly the body the adapter sends (captured from one adapter call), with
  // its own reference per message.
  await instance.submit!(tx, { signal: AbortSignal.timeout(5000) });
  const body = JSON.parse(sim.requests.find((r) => r.method === 'POST')!.body) as Record<string, unknown>;
  const agent = new http.Agent({ keepAlive: true });
  const raw = axios.create({ baseURL: sim.url, httpAgent: agent, responseType: 'text' });
  let round = 0;
  const key = (i: number) => `bench-${round}-${i}`;
  const rawCall = async (i: number) => {
    const reference = `PP-2026-004512 [raw-${key(i)}]`;
    const found = await raw.get('/v2/notifications', {
      params: { reference, template_type: 'email' },
      headers: { authorization: `Bearer ${jwt(apiKey)}` },
    });
    if ((JSON.parse(found.data as string) as { notifications: unknown[] }).notifications.length > 0) return found;
    return raw.post(
      '/v2/notifications/email',
      { ...body, reference },
      { headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt(apiKey)}` } },
    );
  };
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
  return { adapter: 'govuk-notify', operations: total, concurrency, ...best };
}
