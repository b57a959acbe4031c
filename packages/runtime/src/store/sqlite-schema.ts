import { tablesIn, type SqlDialect } from './store-tables';
import { transactionStateSql } from './transaction-state-sql';

/**
 * The SQLite store's schema as numbered migrations. A migration is never edited once released:
 * changes go in a new one, so every database file can be upgraded from whatever version it is at.
 * Times are ISO-8601 UTC strings (Date.toISOString), which compare correctly as text.
 */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

const SQLITE: SqlDialect = {
  table: (name) => name,
  key: 'TEXT',
  time: 'TEXT',
  json: 'TEXT',
  serialKey: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  deliveryOrder: '',
};

const SQLITE_TABLES = tablesIn(SQLITE);

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      ${SQLITE_TABLES.transactions}
      CREATE INDEX transactions_created ON transactions (created_at) WHERE envelope IS NOT NULL;

      ${SQLITE_TABLES.deliveries}
      CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
      CREATE INDEX deliveries_transaction ON deliveries (transaction_id, link_order);
      CREATE INDEX deliveries_dead ON deliveries (state, updated_at) WHERE state = 'dead';

      ${SQLITE_TABLES.attempts('attempts', ['delivered', 'failed'])}
      CREATE INDEX attempts_delivery ON attempts (delivery_id, id);

      ${SQLITE_TABLES.audit}
      CREATE INDEX audit_transaction ON audit (transaction_id, seq) WHERE transaction_id IS NOT NULL;

      ${SQLITE_TABLES.statusUpdates}
      CREATE UNIQUE INDEX status_updates_dedupe ON status_updates (target, external_ref, update_id) WHERE update_id IS NOT NULL;
      CREATE INDEX status_updates_transaction ON status_updates (transaction_id, id);

      ${SQLITE_TABLES.cursors}
    `,
  },
  {
    version: 2,
    name: 'listing',
    sql: `
      CREATE INDEX transactions_council_created ON transactions (council, created_at DESC, id DESC);
      CREATE INDEX status_updates_received ON status_updates (received_at, id);
    `,
  },
  {
    version: 3,
    name: 'leasing-by-target',
    sql: `
      -- Leasing reads one target at a time: its rows ready to lease, in due order, and its leased rows
      -- (as many as the workers' concurrency), so its cost does not grow with the queue.
      CREATE INDEX deliveries_ready ON deliveries (target, next_attempt_at, created_at, id) WHERE state = 'pending' AND lease_owner IS NULL;
      CREATE INDEX deliveries_leased ON deliveries (target, lease_expires_at) WHERE state = 'pending' AND lease_owner IS NOT NULL;
      DROP INDEX deliveries_due;
      -- A status update without a transaction id finds its delivery by the receipt's reference.
      CREATE INDEX deliveries_receipt_ref ON deliveries (target, json_extract(receipt, '$.externalRef')) WHERE receipt IS NOT NULL;

      -- Pending deliveries per target, kept in the transaction of every change that moves one in or
      -- out of 'pending', so queue depth is a read of a few rows.
      CREATE TABLE queue_depth (
        target TEXT PRIMARY KEY,
        pending INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO queue_depth (target, pending) SELECT target, COUNT(*) FROM deliveries WHERE state = 'pending' GROUP BY target;

      -- Worker processes and their heartbeats: a dead one's leases are ended without waiting for them
      -- to run out.
      ${SQLITE_TABLES.workers}

      -- An attempt may end with an unknown outcome (its lease ran out). SQLite cannot change a CHECK
      -- constraint in place, so the table is rebuilt with its rows and ids.
      ${SQLITE_TABLES.attempts('attempts_v3', ['delivered', 'failed', 'unknown'])}
      INSERT INTO attempts_v3 (id, delivery_id, attempt, started_at, finished_at, outcome, classification, code, message)
        SELECT id, delivery_id, attempt, started_at, finished_at, outcome, classification, code, message FROM attempts;
      DROP TABLE attempts;
      ALTER TABLE attempts_v3 RENAME TO attempts;
      CREATE INDEX attempts_delivery ON attempts (delivery_id, id);
    `,
  },
  {
    version: 4,
    name: 'status-refresh',
    sql: `
      -- Asking a back office for the status of its open cases (getStatus), for adapters without a change
      -- feed: a delivered case is never checked (refresh_state NULL), checked again at refresh_at
      -- ('open', refresh_delay_ms the backoff step), or done (its status is final). Each index holds one
      -- of the first two kinds, per target in due order, so finding what is due does not read the table.
      ALTER TABLE deliveries ADD COLUMN refresh_state TEXT CHECK (refresh_state IN ('open', 'done'));
      ALTER TABLE deliveries ADD COLUMN refresh_at TEXT;
      ALTER TABLE deliveries ADD COLUMN refresh_delay_ms INTEGER;
      CREATE INDEX deliveries_refresh_new ON deliveries (target, updated_at) WHERE state = 'delivered' AND refresh_state IS NULL;
      CREATE INDEX deliveries_refresh_due ON deliveries (target, refresh_at) WHERE state = 'delivered' AND refresh_state = 'open';

      -- Each target's status checks in the current window, so every process sharing the file keeps to one budget.
      CREATE TABLE refresh_budgets (
        target TEXT PRIMARY KEY,
        window_start TEXT NOT NULL,
        used INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'report-rollups',
    sql: `
      -- What a transaction counts as in reports, on its row, so retention's purge of the envelope
      -- leaves it: its channel and LGSL, the service it counts under (its type, or for a journey start
      -- or a rating the service it is about) and a rating. Filled from the envelopes still stored.
      ALTER TABLE transactions ADD COLUMN channel TEXT;
      ALTER TABLE transactions ADD COLUMN lgsl INTEGER;
      ALTER TABLE transactions ADD COLUMN service TEXT;
      ALTER TABLE transactions ADD COLUMN rating INTEGER;
      UPDATE transactions SET service = type;
      UPDATE transactions SET channel = json_extract(envelope, '$.channel'), lgsl = json_extract(envelope, '$.lgsl') WHERE envelope IS NOT NULL;
      UPDATE transactions SET service = COALESCE(json_extract(envelope, '$.data.service'), type), rating = json_extract(envelope, '$.data.rating')
        WHERE envelope IS NOT NULL AND type IN ('journey.started', 'feedback.satisfaction');

      -- Reporting rollups per council, UTC day of acceptance, LGSL (0: none), service, channel ('': none)
      -- and back office ('': the transaction's own row), changed in the transaction of every accept and
      -- delivery outcome; retention never touches them. shard is always 0 here (the PostgreSQL store
      -- spreads hot rows over shards). Filled from the stored transactions by the rebuild.
      CREATE TABLE report_days (
        council TEXT NOT NULL,
        day TEXT NOT NULL,
        lgsl INTEGER NOT NULL,
        service TEXT NOT NULL,
        channel TEXT NOT NULL,
        target TEXT NOT NULL,
        shard INTEGER NOT NULL,
        received INTEGER NOT NULL DEFAULT 0,
        started INTEGER NOT NULL DEFAULT 0,
        completed INTEGER NOT NULL DEFAULT 0,
        rating_1 INTEGER NOT NULL DEFAULT 0,
        rating_2 INTEGER NOT NULL DEFAULT 0,
        rating_3 INTEGER NOT NULL DEFAULT 0,
        rating_4 INTEGER NOT NULL DEFAULT 0,
        rating_5 INTEGER NOT NULL DEFAULT 0,
        queued INTEGER NOT NULL DEFAULT 0,
        delivered INTEGER NOT NULL DEFAULT 0,
        dead INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (council, day, lgsl, service, channel, target, shard)
      ) WITHOUT ROWID;
      -- Submit-to-delivered times per back office and day, as a histogram (see report-rollups.ts): by
      -- back office only, so its rows do not multiply with services and channels.
      CREATE TABLE report_delivery_seconds (
        council TEXT NOT NULL,
        day TEXT NOT NULL,
        target TEXT NOT NULL,
        shard INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (council, day, target, shard, bucket)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'field-encryption',
    sql: `
      -- Each council's data keys, wrapped by the operator's key-encryption key (never stored in the clear).
      CREATE TABLE data_keys (
        id TEXT PRIMARY KEY,
        council TEXT NOT NULL,
        wrapped TEXT NOT NULL,
        wrapped_by TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX data_keys_council ON data_keys (council, created_at);
      -- The data key a row's personal data is sealed under (NULL: nothing sealed), indexed so rotation
      -- finds the rows of a retiring key in batches without reading the table.
      ALTER TABLE transactions ADD COLUMN key_id TEXT;
      CREATE INDEX transactions_key ON transactions (key_id, id) WHERE key_id IS NOT NULL;
      ALTER TABLE status_updates ADD COLUMN key_id TEXT;
      CREATE INDEX status_updates_key ON status_updates (key_id, id) WHERE key_id IS NOT NULL;
      -- Keyed hashes (HMAC-SHA256 under a key derived from the council's data key) of the normalised
      -- emails, phone numbers, names, UPRNs and references in each transaction: a subject is found
      -- without decrypting anything.
      CREATE TABLE subject_index (
        council TEXT NOT NULL,
        hash TEXT NOT NULL,
        transaction_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        key_id TEXT NOT NULL,
        PRIMARY KEY (council, hash, transaction_id)
      ) WITHOUT ROWID;
      CREATE INDEX subject_index_transaction ON subject_index (transaction_id);
      CREATE INDEX subject_index_key ON subject_index (key_id);
    `,
  },
  {
    version: 7,
    name: 'console-reads',
    sql: `
      -- Where each transaction stands (pending, delivered, dead, discarded), kept on its row by every
      -- change of a delivery's state, so the console filters on it in SQL. Filled from the deliveries.
      ALTER TABLE transactions ADD COLUMN state TEXT;
      UPDATE transactions SET state = ${transactionStateSql((name) => name)};
      -- One index per filter of the transactions page, each in the page's order, so a filtered page
      -- reads its own rows and no others, however many the council has.
      CREATE INDEX transactions_council_state ON transactions (council, state, created_at DESC, id DESC);
      CREATE INDEX transactions_council_channel ON transactions (council, channel, created_at DESC, id DESC);
      CREATE INDEX transactions_council_type ON transactions (council, type, created_at DESC, id DESC);
      -- The console's overview per back office: the oldest queued delivery, those retrying now, dead
      -- letters and those delivered lately, each read from the start of its own partial index.
      -- (council IS NOT NULL is always true: it keeps statements that filter on the state alone, as
      -- the leasing ones do, on their own indexes.)
      CREATE INDEX deliveries_queued_age ON deliveries (council, target, created_at) WHERE state = 'pending' AND council IS NOT NULL;
      CREATE INDEX deliveries_retrying ON deliveries (council, target) WHERE state = 'pending' AND attempts > 0;
      CREATE INDEX deliveries_dead_letters ON deliveries (council, target, updated_at) WHERE state = 'dead';
      CREATE INDEX deliveries_delivered_at ON deliveries (council, target, updated_at) WHERE state = 'delivered';
    `,
  },
  {
    version: 8,
    name: 'retention-per-type',
    sql: `
      -- When each transaction ended (came to rest), kept beside its state: retention keeps a payload a
      -- time after its end, per type: the first time none of its deliveries was pending. Filled from the
      -- deliveries' last change for those ended now.
      ALTER TABLE transactions ADD COLUMN ended_at TEXT;
      UPDATE transactions SET ended_at = COALESCE((SELECT MAX(d.updated_at) FROM deliveries d WHERE d.transaction_id = transactions.id), created_at)
        WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.transaction_id = transactions.id AND d.state = 'pending');
      -- A type's payloads held, in end order: a purge or a dry run reads the range that goes and no
      -- other row. The envelope-only index on created_at served the purge by acceptance time.
      CREATE INDEX transactions_retention ON transactions (type, ended_at) WHERE envelope IS NOT NULL AND ended_at IS NOT NULL;
      DROP INDEX transactions_created;
    `,
  },
  {
    version: 9,
    name: 'api-keys',
    sql: `
      -- API keys (only the SHA-256 of each secret), shared by every process on the store. A key is
      -- found by its id, the primary key: one index search, never a scan of the table.
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        council TEXT NOT NULL,
        scopes TEXT NOT NULL,
        hash TEXT NOT NULL,
        label TEXT,
        channel TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE INDEX api_keys_council ON api_keys (council, created_at);
      -- Moved on by every add and revoke, in the same transaction: a process caching keys reads this
      -- one row to learn whether any changed.
      CREATE TABLE api_key_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
      INSERT INTO api_key_version (id, version) VALUES (1, 0);
    `,
  },
];
