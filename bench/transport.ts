/**
 * Overhead of the LGX transports against the raw libraries they wrap, calling the same simulator in
 * the same process at the same concurrency: @lgx/core/http vs raw axios (a JSON POST), and
 * @lgx/core/soap vs a raw `soap` client (one SOAP operation). Rounds alternate between the two and the
 * best of each is compared.
 */
import path from 'node:path';
import http from 'node:http';
import axios from 'axios';
import * as soap from 'soap';
import { createHttpClient } from '@lgx/core/http';
import { createSoapClient } from '@lgx/core/soap';
import { reply, startRestSimulator, startSoapSimulator } from '@lgx/testkit';
import { rate } from './rate';

const WSDL = path.resolve(__dirname, '..', 'packages', 'core', 'test', 'fixtures', 'streetworks.wsdl');

async function compare(
  label: string,
  lgx: () => Promise<unknown>,
  raw: () => Promise<unknown>,
  total: number,
  concurrency: number,
  rounds: number,
) {
  await rate(lgx, 50, concurrency);
  await rate(raw, 50, concurrency);
  let bestLgx = 0;
  let bestRaw = 0;
  for (let r = 0; r < rounds; r++) {
    bestRaw = Math.max(bestRaw, await rate(raw, total, concurrency));
    bestLgx = Math.max(bestLgx, await rate(lgx, total, concurrency));
  }
  const overhead = (bestRaw / bestLgx - 1) * 100;
  return `${label.padEnd(22)} ${Math.round(bestLgx).toLocaleString('en-GB').padStart(9)} ${Math.round(bestRaw).toLocaleString('en-GB').padStart(9)} ${(bestLgx / bestRaw).toFixed(2).padStart(7)} ${overhead.toFixed(1).padStart(9)}%`;
}

export async function benchTransport(options: { total?: number; concurrency?: number; rounds?: number } = {}): Promise<string[]> {
  const total = options.total ?? 2000;
  const concurrency = options.concurrency ?? 8;
  const rounds = options.rounds ?? 3;
  const rows = [
    `${'transport'.padEnd(22)} ${'lgx/s'.padStart(9)} ${'raw/s'.padStart(9)} ${'ratio'.padStart(7)} ${'overhead'.padStart(10)}`,
  ];

  const rest = await startRestSimulator({
    name: 'bench',
    state: () => ({ n: 0 }),
    routes: [{ method: 'POST', path: '/cases', handler: (_req, { state }) => reply(201, { id: `C-${++state.n}`, status: 'logged' }) }],
  });
  const agent = new http.Agent({ keepAlive: true });
  const rawAxios = axios.create({ baseURL: rest.url, httpAgent: agent });
  const client = createHttpClient({ baseUrl: rest.url, retry: false });
  const body = { uprn: '100090215480', service: 'REC', collection_date: '2026-11-17' };
  rows.push(
    await compare(
      'http (JSON POST)',
      () => client.post('/cases', { json: body, idempotencyKey: 'k' }),
      () => rawAxios.post('/cases', body, { headers: { 'idempotency-key': 'k' } }),
      total,
      concurrency,
      rounds,
    ),
  );
  rest.requests.length = 0;
  await rest.close();
  agent.destroy();

  const soapSim = await startSoapSimulator({
    wsdl: WSDL,
    implementation: {
      StreetWorksService: {
        PermitsPort: {
          GetPermitStatus: (args: { PermitReference: string }) => ({ PermitReference: args.PermitReference, Status: 'granted' }),
        },
      },
    },
  });
  const lgxSoap = createSoapClient({ wsdl: soapSim.wsdlUrl });
  const rawSoap = await soap.createClientAsync(soapSim.wsdlUrl, { endpoint: soapSim.endpoint });
  const args = { PermitReference: 'PR-1001' };
  rows.push(
    await compare(
      'soap (one operation)',
      () => lgxSoap.call('GetPermitStatus', args),
      () => (rawSoap as unknown as { GetPermitStatusAsync: (a: unknown) => Promise<unknown> }).GetPermitStatusAsync(args),
      Math.round(total / 2),
      concurrency,
      rounds,
    ),
  );
  soapSim.requests.length = 0;
  await soapSim.close();
  return rows;
}

if (require.main === module) {
  void benchTransport().then((rows) => {
    console.log(
      'bench/transport: calls per second through the LGX transports vs the raw libraries (same simulator, same concurrency, same run)\n',
    );
    console.log(rows.join('\n'));
    console.log('\naim: overhead under 10%');
  });
}
