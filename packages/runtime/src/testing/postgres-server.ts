/**
 * Starts a throwaway PostgreSQL server for tests: a fresh cluster in a temporary directory, listening
 * on 127.0.0.1 on a free port (and a Unix socket in that directory), fsync off, trust auth. Nothing
 * outside the directory is touched, so tests need no installed, running or configured service.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
  createdb: string;
}

export interface PostgresServer {
  /** e.g. postgresql://lgx@127.0.0.1:54123/lgx_test */
  connectionString: string;
  port: number;
  /** The cluster's data directory (tables and WAL), e.g. to look inside its files after a CHECKPOINT. */
  dataDir: string;
  /** Stops the server at once (no checkpoint) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

const USER = 'lgx';
const DATABASE = 'lgx_test';

/** initdb, pg_ctl and createdb from PATH, else from the newest /usr/lib/postgresql/<version>/bin; undefined if absent. */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot).sort((a, b) => Number(b) - Number(a) || b.localeCompare(a));
    dirs.push(...versions.map((v) => join(debianRoot, v, 'bin')));
  }
  // All three from one directory, so the client and server versions match.
  for (const dir of dirs) {
    const found = { initdb: join(dir, 'initdb'), pgCtl: join(dir, 'pg_ctl'), createdb: join(dir, 'createdb') };
    if (existsSync(found.initdb) && existsSync(found.pgCtl) && existsSync(found.createdb)) return found;
  }
  return undefined;
}

function run(file: string, args: string[], asUser: string | undefined): Promise<string> {
  // initdb and postgres refuse to run as root, so as root the server side runs as `asUser`.
  const [cmd, argv] = asUser === undefined ? [file, args] : ['runuser', ['-u', asUser, '--', file, ...args]];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${[file, ...args].join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The account the server runs as when this process is root (initdb refuses root). */
function serverAccount(): { user: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = 'postgres';
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    return { user, uid, gid };
  } catch {
    throw new Error(`running as root, and initdb refuses root: a '${user}' user is needed to run the test server as`);
  }
}

export async function startPostgresServer(binaries: PostgresBinaries): Promise<PostgresServer> {
  const account = serverAccount();
  // Short path: the Unix socket lives here too, and socket paths are limited to about 100 bytes.
  const dir = mkdtempSync(join(existsSync('/tmp') ? '/tmp' : tmpdir(), 'lgx-pg-'));
  if (account) chownSync(dir, account.uid, account.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  let stopped = false;
  // If the test process ends without stop() (a crash, a forced jest exit), leave no server behind.
  const onExit = (): void => {
    killFromPidFile(data);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', onExit);
    try {
      await run(binaries.pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], account?.user);
    } catch {
      // Not started, or already gone; a leftover postmaster is killed from its pid file.
      killFromPidFile(data);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(binaries.initdb, ['-D', data, '-U', USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], account?.user);
    let port = 0;
    // A port found free can be taken before the server binds it; try a few.
    for (let tries = 1; ; tries += 1) {
      port = await freePort();
      const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      try {
        // -l: without a log file the server would keep this process's output pipes open.
        await run(binaries.pgCtl, ['-D', data, '-o', settings, '-l', log, '-w', '-t', '60', 'start'], account?.user);
        break;
      } catch (error) {
        if (tries >= 3) throw new Error(`${(error as Error).message}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
      }
    }
    await run(binaries.createdb, ['-h', '127.0.0.1', '-p', String(port), '-U', USER, DATABASE], undefined);
    return { connectionString: `postgresql://${USER}@127.0.0.1:${port}/${DATABASE}`, port, dataDir: data, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function killFromPidFile(data: string): void {
  try {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // No pid file: no server.
  }
}

/**
 * How a PostgreSQL test file decides whether it can run. Without the binaries it is skipped with the
 * reason printed, except in CI (CI=true), where PostgreSQL is installed and a missing one is a failure.
 */
export function postgresAvailability(): { binaries: PostgresBinaries } | { binaries: undefined; reason: string; mustFail: boolean } {
  const binaries = findPostgresBinaries();
  if (binaries) return { binaries };
  return {
    binaries: undefined,
    reason:
      'PostgreSQL tests skipped: no initdb/pg_ctl/createdb on PATH or under /usr/lib/postgresql/*/bin (install the postgresql package to run them)',
    mustFail: process.env['CI'] === 'true',
  };
}
