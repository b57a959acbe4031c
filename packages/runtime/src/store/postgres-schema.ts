import { tablesIn, type SqlDialect } from './store-tables';
import { transactionStateSql } from './transaction-state-sql';

/**
 * The PostgreSQL store's schema as numbered migrations, the same tables as the SQLite store's (see
 * sqlite-schema.ts) in PostgreSQL types: times are timestamptz, JSON is jsonb. A migration is never
 * edited once released: changes go in a new one.
 *
 * `{schema}` stands for the quoted schema name; postgres-store.ts substitutes it, so one database
 * can hold several independent stores.
 */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

const POSTGRES: SqlDialect = {
  table: (name) => `{schema}.${name}`,
  // Ids and targets collate as "C" so ORDER BY ... id gives the same byte order as SQLite,
  // whatever locale the database was created with.
  key: 'TEXT COLLATE "C"',
  time: 'TIMESTAMPTZ',
  json: 'JSONB',
  serialKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  deliveryOrder: `
        -- Insertion order, for ties SQLite breaks with rowid.
        row_seq BIGINT GENERATED ALWAYS AS IDENTITY,`,
};

const POSTGRES_TABLES = tablesIn(POSTGRES);

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      ${POSTGRES_TABLES.transactions}
      CREATE INDEX transactions_created ON {schema}.transactions (created_at) WHERE envelope IS NOT NULL;

      ${POSTGRES_TABLES.deliveries}
      CREATE INDEX deliveries_due ON {schema}.deliveries (next_attempt_at, created_at, id) WHERE state = 'pending';
      CREATE INDEX deliveries_leased ON {schema}.deliveries (target, lease_expires_at) WHERE state = 'pending';
      CREATE INDEX deliveries_transaction ON {schema}.deliveries (transaction_id, link_order);
      CREATE INDEX deliveries_dead ON {schema}.deliveries (updated_at, row_seq) WHERE state = 'dead';
      CREATE INDEX deliveries_receipt_ref ON {schema}.deliveries (target, (receipt ->> 'externalRef')) WHERE receipt IS NOT NULL;

      ${POSTGRES_TABLES.attempts('attempts', ['delivered', 'failed'])}
      CREATE INDEX attempts_delivery ON {schema}.attempts (delivery_id, id);

      ${POSTGRES_TABLES.audit}
      CREATE INDEX audit_transaction ON {schema}.audit (transaction_id, seq) WHERE transaction_id IS NOT NULL;

      -- One row per council holding the chain's last seq and hash. Appending locks this row, so
      -- concurrent writers on any number of connections extend one chain, one at a time.
      CREATE TABLE {schema}.audit_heads (
        council TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      );

      ${POSTGRES_TABLES.statusUpdates}
      CREATE UNIQUE INDEX status_updates_dedupe ON {schema}.status_updates (target, external_ref, update_id) WHERE update_id IS NOT NULL;
      CREATE INDEX status_updates_transaction ON {schema}.status_updates (transaction_id, id);

      ${POSTGRES_TABLES.cursors}
    `,
  },
  {
    version: 2,
    name: 'listing',
    sql: `
      CREATE INDEX transactions_council_created ON {schema}.transactions (council, created_at DESC, id DESC);
      CREATE INDEX status_updates_received ON {schema}.status_updates (received_at, id);
    `,
  },
  {
    version: 3,
    name: 'leasing-by-target',
    sql: `
      -- Leasing reads one target at a time: its rows ready to lease, in due order, and its leased rows
      -- (as many as the workers' concurrency), so its cost does not grow with the queue.
      DROP INDEX {schema}.deliveries_due;
      DROP INDEX {schema}.deliveries_leased;
      CREATE INDEX deliveries_ready ON {schema}.deliveries (target, next_attempt_at, created_at, id) WHERE state = 'pending' AND lease_owner IS NULL;
      CREATE INDEX deliveries_leased ON {schema}.deliveries (target, lease_expires_at) WHERE state = 'pending' AND lease_owner IS NOT NULL;

      -- Pending deliveries per target, kept in the transaction of every change that moves one in or
      -- out of 'pending'. Each change adds to one of a few shards picked at random, so concurrent
      -- writers to one target rarely wait on the same row; the depth is the sum of the shards.
      CREATE TABLE {schema}.queue_depth (
        target TEXT COLLATE "C" NOT NULL,
        shard SMALLINT NOT NULL,
        pending BIGINT NOT NULL,
        PRIMARY KEY (target, shard)
      );
      INSERT INTO {schema}.queue_depth (target, shard, pending) SELECT target, 0, COUNT(*) FROM {schema}.deliveries WHERE state = 'pending' GROUP BY target;

      -- Worker processes and their heartbeats: a dead one's leases are ended without waiting for them
      -- to run out.
      ${POSTGRES_TABLES.workers}

      -- An attempt may end with an unknown outcome (its lease ran out).
      ALTER TABLE {schema}.attempts DROP CONSTRAINT attempts_outcome_check;
      ALTER TABLE {schema}.attempts ADD CONSTRAINT attempts_outcome_check CHECK (outcome IN ('delivered', 'failed', 'unknown'));
    `,
  },
  {
    version: 4,
    name: 'status-refresh',
    sql: `
      -- Status refresh, as in the SQLite schema's version 4: when each delivered case is next asked about.
      ALTER TABLE {schema}.deliveries
        ADD COLUMN refresh_state TEXT CHECK (refresh_state IN ('open', 'done')),
        ADD COLUMN refresh_at TIMESTAMPTZ,
        ADD COLUMN refresh_delay_ms BIGINT;
      CREATE INDEX deliveries_refresh_new ON {schema}.deliveries (target, updated_at) WHERE state = 'delivered' AND refresh_state IS NULL;
      CREATE INDEX deliveries_refresh_due ON {schema}.deliveries (target, refresh_at) WHERE state = 'delivered' AND refresh_state = 'open';

      -- Each target's status checks in the current window, shared by every process on the database.
      CREATE TABLE {schema}.refresh_budgets (
        target TEXT COLLATE "C" PRIMARY KEY,
        window_start TIMESTAMPTZ NOT NULL,
        used INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'report-rollups',
    sql: `
      -- Reporting rollups, as in the SQLite schema's version 5. Each change adds to one of a few shards
      -- picked at random (as queue_depth does), so concurrent accepts for one service and day rarely
      -- wait on the same row; reads sum the shards.
      ALTER TABLE {schema}.transactions
        ADD COLUMN channel TEXT,
        ADD COLUMN lgsl INTEGER,
        ADD COLUMN service TEXT,
        ADD COLUMN rating INTEGER;
      UPDATE {schema}.transactions SET service = type, channel = envelope ->> 'channel', lgsl = (envelope ->> 'lgsl')::integer;
      UPDATE {schema}.transactions SET service = COALESCE(envelope -> 'data' ->> 'service', type), rating = (envelope -> 'data' ->> 'rating')::integer
        WHERE envelope IS NOT NULL AND type IN ('journey.started', 'feedback.satisfaction');

      CREATE TABLE {schema}.report_days (
        council TEXT COLLATE "C" NOT NULL,
        day TEXT COLLATE "C" NOT NULL,
        lgsl INTEGER NOT NULL,
        service TEXT COLLATE "C" NOT NULL,
        channel TEXT COLLATE "C" NOT NULL,
        target TEXT COLLATE "C" NOT NULL,
        shard SMALLINT NOT NULL,
        received BIGINT NOT NULL DEFAULT 0,
        started BIGINT NOT NULL DEFAULT 0,
        completed BIGINT NOT NULL DEFAULT 0,
        rating_1 BIGINT NOT NULL DEFAULT 0,
        rating_2 BIGINT NOT NULL DEFAULT 0,
        rating_3 BIGINT NOT NULL DEFAULT 0,
        rating_4 BIGINT NOT NULL DEFAULT 0,
        rating_5 BIGINT NOT NULL DEFAULT 0,
        queued BIGINT NOT NULL DEFAULT 0,
        delivered BIGINT NOT NULL DEFAULT 0,
        dead BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (council, day, lgsl, service, channel, target, shard)
      );
      CREATE TABLE {schema}.report_delivery_seconds (
        council TEXT COLLATE "C" NOT NULL,
        day TEXT COLLATE "C" NOT NULL,
        target TEXT COLLATE "C" NOT NULL,
        shard SMALLINT NOT NULL,
        bucket SMALLINT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (council, day, target, shard, bucket)
      );
    `,
  },
  {
    version: 6,
    name: 'field-encryption',
    sql: `
      -- As the SQLite schema's version 6: wrapped data keys, the key each row is sealed under, and the
      -- subject index of keyed hashes.
      CREATE TABLE {schema}.data_keys (
        id TEXT COLLATE "C" PRIMARY KEY,
        council TEXT COLLATE "C" NOT NULL,
        wrapped TEXT NOT NULL,
        wrapped_by TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX data_keys_council ON {schema}.data_keys (council, created_at);
      ALTER TABLE {schema}.transactions ADD COLUMN key_id TEXT COLLATE "C";
      CREATE INDEX transactions_key ON {schema}.transactions (key_id, id) WHERE key_id IS NOT NULL;
      ALTER TABLE {schema}.status_updates ADD COLUMN key_id TEXT COLLATE "C";
      CREATE INDEX status_updates_key ON {schema}.status_updates (key_id, id) WHERE key_id IS NOT NULL;
      CREATE TABLE {schema}.subject_index (
        council TEXT COLLATE "C" NOT NULL,
        hash TEXT COLLATE "C" NOT NULL,
        transaction_id TEXT COLLATE "C" NOT NULL,
        kind TEXT NOT NULL,
        key_id TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (council, hash, transaction_id)
      );
      CREATE INDEX subject_index_transaction ON {schema}.subject_index (transaction_id);
      CREATE INDEX subject_index_key ON {schema}.subject_index (key_id);
    `,
  },
  {
    version: 7,
    name: 'console-reads',
    sql: `
      -- The console's reads, as in the SQLite schema's version 7: each transaction's state on its row,
      -- an index per filter of the transactions page, and partial indexes for the overview.
      ALTER TABLE {schema}.transactions ADD COLUMN state TEXT;
      UPDATE {schema}.transactions SET state = ${transactionStateSql((name) => `{schema}.${name}`)};
      CREATE INDEX transactions_council_state ON {schema}.transactions (council, state, created_at DESC, id DESC);
      CREATE INDEX transactions_council_channel ON {schema}.transactions (council, channel, created_at DESC, id DESC);
      CREATE INDEX transactions_council_type ON {schema}.transactions (council, type, created_at DESC, id DESC);
      CREATE INDEX deliveries_queued_age ON {schema}.deliveries (council, target, created_at) WHERE state = 'pending' AND council IS NOT NULL;
      CREATE INDEX deliveries_retrying ON {schema}.deliveries (council, target) WHERE state = 'pending' AND attempts > 0;
      CREATE INDEX deliveries_dead_letters ON {schema}.deliveries (council, target, updated_at) WHERE state = 'dead';
      CREATE INDEX deliveries_delivered_at ON {schema}.deliveries (council, target, updated_at) WHERE state = 'delivered';
    `,
  },
  {
    version: 8,
    name: 'retention-per-type',
    sql: `
      -- As the SQLite schema's version 8: each transaction's end time, and an index of the payloads held
      -- per type in end order (with the id, the order a purge pages in).
      ALTER TABLE {schema}.transactions ADD COLUMN ended_at TIMESTAMPTZ;
      UPDATE {schema}.transactions t SET ended_at = COALESCE((SELECT MAX(d.updated_at) FROM {schema}.deliveries d WHERE d.transaction_id = t.id), t.created_at)
        WHERE NOT EXISTS (SELECT 1 FROM {schema}.deliveries d WHERE d.transaction_id = t.id AND d.state = 'pending');
      CREATE INDEX transactions_retention ON {schema}.transactions (type, ended_at, id) WHERE envelope IS NOT NULL AND ended_at IS NOT NULL;
      DROP INDEX {schema}.transactions_created;
    `,
  },
  {
    version: 9,
    name: 'api-keys',
    sql: `
      -- API keys, as in the SQLite schema's version 9: found by id (the primary key), with a change
      -- counter every add and revoke moves on in its own transaction.
      CREATE TABLE {schema}.api_keys (
        id TEXT COLLATE "C" PRIMARY KEY,
        council TEXT COLLATE "C" NOT NULL,
        scopes JSONB NOT NULL,
        hash TEXT NOT NULL,
        label TEXT,
        channel TEXT,
        created_at TIMESTAMPTZ NOT NULL,
        revoked_at TIMESTAMPTZ
      );
      CREATE INDEX api_keys_council ON {schema}.api_keys (council, created_at);
      CREATE TABLE {schema}.api_key_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
      INSERT INTO {schema}.api_key_version (id, version) VALUES (1, 0);
    `,
  },
];
