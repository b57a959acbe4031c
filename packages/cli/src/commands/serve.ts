import { createLogger } from '@lgx/core';
import { LOAD_SHEDDING_DEFAULTS, startService } from '@lgx/gateway';
import { DEFAULT_DATA, DEFAULT_STACK, loadStackFile, openKeys, openStore } from '../context';
import { EXIT, type Io } from '../output';
import { int, parse, str, textOptions } from '../args';
import { GATEWAY_OPTIONS, GATEWAY_OPTIONS_HELP, gatewayOptionsFrom } from './serve-gateway-options';
import { STOP_HELP, STOP_OPTIONS, stopOnSignal, stopTimeoutFrom } from './serve-stop';

export const serveHelp = `lgx serve [stack] [--port <n>] [--host <addr>] [--data <dir>] [--database <postgres-url>] [--public-url <url>] [--poll <seconds>] [--retention-days <n>]
  [--trusted-hosts <hosts>] [--health-interval <seconds>] [--health-timeout <seconds>]
  [--headers-timeout <seconds>] [--request-timeout <seconds>] [--keep-alive-timeout <seconds>] [--max-connections <n>]
  [--stop-timeout <seconds>]
  [--max-queue <n>] [--max-target-queue <n>] [--max-loop-delay <ms>] [--shed-retry-after <seconds>]

Runs the stack as a service: the gateway (REST API, Open311 facade, callbacks, metrics) on
--host:--port (default 127.0.0.1:8080), the delivery workers, and status polling every --poll
seconds (default 60). Payloads of transactions are purged once they ended longer ago than their
type's period in the stack file's retention section, else --retention-days (default 90; their audit
trail and report counts stay; 'lgx retention --dry-run' shows what would go). Transactions and keys live in --data (default ${DEFAULT_DATA}). Logs are JSON
lines on stderr.

${STOP_HELP}

${GATEWAY_OPTIONS_HELP}

Load shedding: submissions get 503 with Retry-After (--shed-retry-after, default ${LOAD_SHEDDING_DEFAULTS.retryAfterSeconds} s) and nothing
is stored while more than --max-queue deliveries are pending in all (default ${LOAD_SHEDDING_DEFAULTS.maxQueueDepth.toLocaleString('en-GB')}), more than
--max-target-queue for one of the submission's back offices (default ${LOAD_SHEDDING_DEFAULTS.maxTargetQueueDepth.toLocaleString('en-GB')}), or the event loop is
more than --max-loop-delay ms behind (default ${LOAD_SHEDDING_DEFAULTS.maxEventLoopDelayMs.toLocaleString('en-GB')}). 0 turns a mark off. Reads, health and
callbacks always answer.`;

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...textOptions('database', 'port', 'host', 'data', 'public-url', 'poll', 'retention-days'),
    ...GATEWAY_OPTIONS,
    ...STOP_OPTIONS,
    ...textOptions('max-queue', 'max-target-queue', 'max-loop-delay', 'shed-retry-after'),
  });
  if (values.help) return (io.out(serveHelp), EXIT.ok);
  const port = int(values, 'port', 8080, 0, 65535);
  const pollSeconds = int(values, 'poll', 60, 1, 86_400);
  const dataDir = str(values, 'data', DEFAULT_DATA);
  const gatewayOptions = gatewayOptionsFrom(values);
  const stopTimeoutMs = stopTimeoutFrom(values);
  const retentionDays = int(values, 'retention-days', 90, 1, 36_500);
  const loadShedding = {
    maxQueueDepth: int(values, 'max-queue', LOAD_SHEDDING_DEFAULTS.maxQueueDepth, 0, 1_000_000_000),
    maxTargetQueueDepth: int(values, 'max-target-queue', LOAD_SHEDDING_DEFAULTS.maxTargetQueueDepth, 0, 1_000_000_000),
    maxEventLoopDelayMs: int(values, 'max-loop-delay', LOAD_SHEDDING_DEFAULTS.maxEventLoopDelayMs, 0, 3_600_000),
    retryAfterSeconds: int(values, 'shed-retry-after', LOAD_SHEDDING_DEFAULTS.retryAfterSeconds, 1, 86_400),
  };
  const { definition, resolveFrom } = await loadStackFile(positionals[0] ?? DEFAULT_STACK);
  const logger = createLogger({ level: 'info', secrets: definition.secrets });
  const publicUrl = str(values, 'public-url');
  const service = await startService(definition, {
    store: openStore(dataDir, str(values, 'database'), io),
    keys: openKeys(dataDir, io),
    resolveFrom,
    logger,
    host: str(values, 'host', '127.0.0.1'),
    port,
    polling: { intervalMs: pollSeconds * 1000 },
    retention: { days: retentionDays },
    stopTimeoutMs,
    loadShedding,
    ...(publicUrl ? { publicUrl } : {}),
    ...gatewayOptions,
  });
  const url = service.url;
  io.out(`lgx gateway for council ${definition.council} on ${url} (data in ${dataDir})`);
  io.out(
    `  POST ${url}/v1/transactions · GET ${url}/v1/health · ${url}/openapi.json${definition.open311 ? ` · ${url}/open311/v2/services.xml` : ''}`,
  );

  return stopOnSignal(service, stopTimeoutMs, io);
}
