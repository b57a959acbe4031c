import path from 'node:path';
import { createLogger } from '@lgx/core';
import { LOAD_SHEDDING_DEFAULTS, startService, type ServiceRole } from '@lgx/gateway';
import { loadStack, type StackDefinition } from '@lgx/runtime';
import { DEFAULT_DATA, DEFAULT_STACK } from '../context';
import { openKeySource } from '../key-source';
import { EXIT, UsageError, type Io } from '../output';
import { int, parse, str, textOptions } from '../args';
import { isFolder, stackFilesIn } from '../stack-folder';
import { councilStores, reloadOnChange } from './serve-councils';
import { GATEWAY_OPTIONS, GATEWAY_OPTIONS_HELP, gatewayOptionsFrom } from './serve-gateway-options';
import { STOP_HELP, STOP_OPTIONS, stopOnSignal, stopTimeoutFrom } from './serve-stop';

export const serveHelp = `lgx serve [stack|folder] [--role all|gateway|worker] [--port <n>] [--host <addr>] [--data <dir>] [--database <postgres-url>] [--public-url <url>] [--poll <seconds>] [--retention-days <n>]
  [--trusted-hosts <hosts>] [--health-interval <seconds>] [--health-timeout <seconds>]
  [--headers-timeout <seconds>] [--request-timeout <seconds>] [--keep-alive-timeout <seconds>] [--max-connections <n>]
  [--stop-timeout <seconds>]
  [--max-queue <n>] [--max-target-queue <n>] [--max-loop-delay <ms>] [--shed-retry-after <seconds>]

Runs the stack as a service: the gateway (REST API, Open311 facade, callbacks, metrics) on
--host:--port (default 127.0.0.1:8080), the delivery workers, and status polling every --poll
seconds (default 60). Payloads of transactions are purged once they ended longer ago than their
type's period in the stack file's retention section, else --retention-days (default 90; their audit
trail and report counts stay; 'lgx retention --dry-run' shows what would go). Transactions and keys
live in --data (default ${DEFAULT_DATA}), or with --database in PostgreSQL, which any number of lgx
serve processes may share. Logs are JSON lines on stderr.

Given a folder, it serves every stack file in it (*.yaml, *.yml), one per council, each isolated:
its own keys, store (<data>/councils/<council>.db, or the schema council_<council> on PostgreSQL),
routes, adapters, Open311 facade (/open311/<council>/v2/..., or jurisdiction_id) and console. A file
added, changed or removed in the folder takes effect within a second, as does SIGHUP, without
restarting the other councils; a changed stack's deliveries in flight finish or are handed to the new
one. A stack that fails validation is refused, logged with the field at fault, and the running one kept.

--role: all (default) accepts, answers and delivers; gateway accepts and answers but never delivers,
polls or purges (workers on the same database deliver); worker delivers, polls and purges, and answers
only /v1/health and /metrics on --port.

${STOP_HELP}

${GATEWAY_OPTIONS_HELP}

Load shedding: submissions get 503 with Retry-After (--shed-retry-after, default ${LOAD_SHEDDING_DEFAULTS.retryAfterSeconds} s) and nothing
is stored while more than --max-queue deliveries are pending in all (default ${LOAD_SHEDDING_DEFAULTS.maxQueueDepth.toLocaleString('en-GB')}), more than
--max-target-queue for one of the submission's back offices (default ${LOAD_SHEDDING_DEFAULTS.maxTargetQueueDepth.toLocaleString('en-GB')}), or the event loop is
more than --max-loop-delay ms behind (default ${LOAD_SHEDDING_DEFAULTS.maxEventLoopDelayMs.toLocaleString('en-GB')}). 0 turns a mark off. Reads, health and
callbacks always answer.`;

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...textOptions('database', 'port', 'host', 'data', 'public-url', 'poll', 'retention-days', 'role'),
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
  const role = str(values, 'role', 'all');
  if (!['all', 'gateway', 'worker'].includes(role))
    throw new UsageError(`--role must be all, gateway or worker, not '${role.slice(0, 40)}'`);
  const target = positionals[0] ?? DEFAULT_STACK;
  const folder = isFolder(target);
  const files = folder ? stackFilesIn(target) : [path.resolve(target)];
  if (files.length === 0) throw new UsageError(`${target} holds no stack files (*.yaml, *.yml)`);
  // A folder's stacks are checked first, so one that fails validation is refused and the others served.
  const definitions: StackDefinition[] = [];
  const served: string[] = [];
  for (const file of files) {
    try {
      definitions.push(await loadStack(file));
      served.push(file);
    } catch (error) {
      if (!folder) throw error;
      io.err(`refused ${file}: ${(error as Error).message}`);
    }
  }
  if (served.length === 0) throw new UsageError(`no stack in ${target} could be loaded`);
  const logger = createLogger({ level: 'info', secrets: definitions.flatMap((d) => d.secrets) });
  const database = str(values, 'database');
  const publicUrl = str(values, 'public-url');
  const keys = await openKeySource(dataDir, database, io);
  const service = await startService(served, {
    store: councilStores(dataDir, database, folder, io),
    keys: keys.keys,
    logger,
    role: role as ServiceRole,
    host: str(values, 'host', '127.0.0.1'),
    port,
    polling: { intervalMs: pollSeconds * 1000 },
    retention: { days: retentionDays },
    stopTimeoutMs,
    loadShedding,
    ...(publicUrl ? { publicUrl } : {}),
    ...gatewayOptions,
  }).catch(async (error: unknown) => {
    await keys.close();
    throw error;
  });
  const url = service.url;
  const councils = service.stacks.map((s) => s.definition.council).join(', ');
  const where = database !== undefined ? 'data in PostgreSQL' : `data in ${dataDir}`;
  io.out(`lgx ${role === 'all' ? 'gateway' : role} for council${service.stacks.length > 1 ? 's' : ''} ${councils} on ${url} (${where})`);
  if (role === 'worker') io.out(`  GET ${url}/v1/health · ${url}/metrics`);
  else
    io.out(
      `  POST ${url}/v1/transactions · GET ${url}/v1/health · ${url}/openapi.json${definitions.some((d) => d.open311) ? ` · ${url}/open311/v2/services.xml` : ''}`,
    );
  const unwatch = folder ? reloadOnChange(target, service, io) : () => undefined;
  if (folder) io.err(`watching ${path.resolve(target)} for stack changes (or send SIGHUP)`);
  const stopping = { stop: async (deadlineMs?: number) => (unwatch(), await service.stop(deadlineMs).finally(() => keys.close())) };
  return stopOnSignal(stopping, stopTimeoutMs, io);
}
