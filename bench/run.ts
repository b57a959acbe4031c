/** `npm run bench`: every benchmark, each printing ratios against a baseline run in the same process. */
import { benchValidate } from './validate';
import { benchTransport } from './transport';
import { benchDelivery } from './delivery';
import { benchGateway } from './gateway';
import { benchAdapters } from './adapters';
import { benchSimulatorState } from './simulator-state';
import { benchStatusRefresh, STATUS_REFRESH_TITLE } from './status-refresh';

async function main(): Promise<void> {
  const { worst, rows } = benchValidate();
  console.log('bench/validate: validations per second, @lgx/core validateData vs raw ajv (same schema, same options, same run)\n');
  console.log(rows.join('\n'));
  console.log(`\nworst ratio ${worst.toFixed(2)} (aim: at least 0.90)\n`);
  console.log(
    'bench/transport: calls per second through the LGX transports vs the raw libraries (same simulator, same concurrency, same run)\n',
  );
  console.log((await benchTransport()).join('\n'));
  console.log('\naim: overhead under 10%\n');
  console.log('bench/delivery: durable delivery through a running stack vs a raw client (same simulator, same process)\n');
  console.log((await benchDelivery()).join('\n'));
  console.log(
    '\nbench/gateway: accepted submits per second over HTTP, LGX gateway vs a bare Fastify route doing the same durable SQLite insert (same run)\n',
  );
  console.log((await benchGateway()).join('\n'));
  console.log('\nbench/adapters: submits per second, each reference adapter vs a raw client on the same simulator\n');
  console.log((await benchAdapters()).join('\n'));
  console.log('\nbench/simulator-state: POSTs per second to the Open311 simulator keeping its state in a file vs in memory (same run)\n');
  console.log((await benchSimulatorState()).join('\n'));
  console.log(`\n${STATUS_REFRESH_TITLE}\n`);
  console.log((await benchStatusRefresh()).join('\n'));
}

void main();
