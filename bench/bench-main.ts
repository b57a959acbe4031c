import { postgresAvailability, startPostgresServer } from '../packages/runtime/test/helpers/postgres-server';

/**
 * Runs `fn` with a throwaway PostgreSQL server's connection string, or resolves the reason it cannot
 * (its binaries are not installed) as the one line to print instead.
 */
export async function onPostgres(fn: (connectionString: string) => Promise<string[]>): Promise<string[]> {
  const availability = postgresAvailability();
  if (!availability.binaries) return [availability.reason.replace('PostgreSQL tests skipped', 'PostgreSQL skipped')];
  const server = await startPostgresServer(availability.binaries);
  try {
    return await fn(server.connectionString);
  } finally {
    await server.stop();
  }
}

/** A bench run as a script: its title, a blank line, then its rows; an error fails the process. */
export function runBench(title: string, run: () => Promise<string[]>): void {
  run()
    .then((rows) => console.log(`${title}\n\n${rows.join('\n')}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
