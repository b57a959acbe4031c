import { postgresAvailability, startPostgresServer, type PostgresServer } from './postgres-server';

/**
 * Runs `suite` against a throwaway PostgreSQL server started for the file (its connection string
 * from `connection()`), when PostgreSQL is installed; in CI its absence is a failure, elsewhere the
 * suite is skipped with the reason.
 */
export function withPostgres(suite: (connection: () => string) => void): void {
  const availability = postgresAvailability();
  if (availability.binaries) {
    const binaries = availability.binaries;
    let server: PostgresServer | undefined;
    beforeAll(async () => {
      server = await startPostgresServer(binaries);
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    }, 60_000);
    suite(() => {
      if (!server) throw new Error('the PostgreSQL test server did not start');
      return server.connectionString;
    });
  } else if (availability.mustFail) {
    it('needs PostgreSQL installed in CI', () => {
      throw new Error(`CI=true but ${availability.reason}`);
    });
  } else {
    it.skip(`PostgreSQL (${availability.reason})`, () => undefined);
  }
}
