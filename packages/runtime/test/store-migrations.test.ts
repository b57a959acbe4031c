import { createHash } from 'node:crypto';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres-schema';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite-schema';

// Databases in use were built by these exact statements: a released migration (or a shared table in
// store-tables.ts it uses) that changes would leave new databases unlike upgraded ones. Changes go
// in a new migration, whose digest is added here when it is released.
const released = (migrations: ReadonlyArray<{ version: number; name: string; sql: string }>) =>
  migrations.map((m) => ({ version: m.version, name: m.name, sha256: createHash('sha256').update(m.sql).digest('hex').slice(0, 16) }));

describe('released store migrations', () => {
  it('SQLite: versions 1 to 6 are as released', () => {
    expect(released(SQLITE_MIGRATIONS)).toEqual([
      { version: 1, name: 'initial', sha256: '79c958b9c8d11855' },
      { version: 2, name: 'listing', sha256: '8c69f6f7e39a0d11' },
      { version: 3, name: 'leasing-by-target', sha256: 'd7600e041ac0ad68' },
      { version: 4, name: 'status-refresh', sha256: '773c412ad5e78603' },
      { version: 5, name: 'report-rollups', sha256: '5c06f2478a518d64' },
      { version: 6, name: 'field-encryption', sha256: '0e7742743b47c6c2' },
      { version: 7, name: 'console-reads', sha256: 'adca86fa840df7df' },
      { version: 8, name: 'retention-per-type', sha256: '8f20d9f493bd982c' },
      { version: 9, name: 'api-keys', sha256: '592613a0c9428f96' },
    ]);
  });

  it('PostgreSQL: versions 1 to 6 are as released', () => {
    expect(released(POSTGRES_MIGRATIONS)).toEqual([
      { version: 1, name: 'initial', sha256: '1bd6bf37ff64540d' },
      { version: 2, name: 'listing', sha256: '4a67610c47912bfa' },
      { version: 3, name: 'leasing-by-target', sha256: 'f9535d150523c46e' },
      { version: 4, name: 'status-refresh', sha256: 'f93e6c0d974776e6' },
      { version: 5, name: 'report-rollups', sha256: 'a79c973999d3001d' },
      { version: 6, name: 'field-encryption', sha256: '818b59b190d1b97b' },
      { version: 7, name: 'console-reads', sha256: '7e25df8d9081c4d5' },
      { version: 8, name: 'retention-per-type', sha256: 'ed6c8b4f64453a3b' },
      { version: 9, name: 'api-keys', sha256: '64bcc083c433b849' },
    ]);
  });
});
