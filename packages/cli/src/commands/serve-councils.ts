import { mkdirSync, watch } from 'node:fs';
import path from 'node:path';
import type { ReloadReport, Service } from '@lgx/gateway';
import { createPostgresStore, createSqliteStore, type StackDefinition, type Store } from '@lgx/runtime';
import { openStore, prepareDataFolder } from '../context';
import type { Io } from '../output';
import { stackFilesIn } from '../stack-folder';

/** Connections each council's PostgreSQL pool may open: a deployment of many councils shares the server's limit. */
const COUNCIL_POOL_CONNECTIONS = 4;
/** Changes to the folder within this time make one reload (an editor writes a file in several steps). */
const RELOAD_SETTLE_MS = 300;

/** The PostgreSQL schema of a council's tables when one deployment serves a folder of stacks. */
export function councilSchema(council: string): string {
  return `council_${council.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

/**
 * Each council's store: for one stack file, the data folder's `lgx.db` (or the database's default
 * schema) as always; for a folder of stacks, one per council, so no council's worker ever leases
 * another's deliveries: `<data>/councils/<council>.db`, or the schema `council_<council>` on PostgreSQL.
 */
export function councilStores(
  dataDir: string,
  database: string | undefined,
  folder: boolean,
  io: Io,
): (definition: StackDefinition) => Store {
  if (!folder) return () => openStore(dataDir, database, io);
  if (database !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(database)) throw new TypeError('--database must be a postgres:// connection URL');
    return (definition) =>
      createPostgresStore({
        connectionString: database,
        schema: councilSchema(definition.council),
        maxConnections: COUNCIL_POOL_CONNECTIONS,
      });
  }
  const councils = path.join(prepareDataFolder(dataDir, io), 'councils');
  mkdirSync(councils, { recursive: true, mode: 0o700 });
  return (definition) => createSqliteStore({ file: path.join(councils, `${definition.council}.db`) });
}

/** One line saying what a reload did. */
export function describeReload(report: ReloadReport): string {
  const parts = (['added', 'changed', 'removed'] as const).filter((k) => report[k].length > 0).map((k) => `${k} ${report[k].join(', ')}`);
  const refused = report.refused.map((r) => `refused ${r.stack}: ${r.error}`);
  return `reload: ${[...parts, ...refused].join('; ') || 'nothing changed'}`;
}

/**
 * Reloads the folder's stacks on SIGHUP and whenever a file in it changes (settled for a moment), one
 * reload at a time. Returns a function that stops watching.
 */
export function reloadOnChange(folder: string, service: Pick<Service, 'reload'>, io: Io): () => void {
  let timer: NodeJS.Timeout | undefined;
  const reload = (why: string) => {
    let files: string[];
    try {
      files = stackFilesIn(folder);
    } catch (error) {
      io.err(`reload (${why}) failed: ${(error as Error).message}`);
      return;
    }
    service.reload(files).then(
      (report) => io.err(`${why}: ${describeReload(report)}`),
      (error: unknown) => io.err(`reload (${why}) failed: ${(error as Error).message}`),
    );
  };
  const soon = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => reload('the stack folder changed'), RELOAD_SETTLE_MS);
  };
  const watcher = watch(folder, { persistent: false }, soon);
  watcher.on('error', (error) => io.err(`watching ${folder} failed: ${error.message}; reload with SIGHUP`));
  const onHup = () => reload('SIGHUP');
  process.on('SIGHUP', onHup);
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
    process.off('SIGHUP', onHup);
  };
}
