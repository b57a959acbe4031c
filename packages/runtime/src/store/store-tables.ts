/**
 * The tables both stores share, written once: each store's migrations (sqlite-schema.ts,
 * postgres-schema.ts) put these statements in with its own column types. They are part of released
 * migrations, so a change here changes what existing databases were built with: never edit them;
 * add a migration instead (a test pins every released migration's text).
 */

/** The column types and names that differ between SQLite and PostgreSQL. */
export interface SqlDialect {
  /** A table's name as the migration writes it (`{schema}.name` in PostgreSQL). */
  table(name: string): string;
  /** An id or target compared and ordered byte by byte. */
  key: string;
  time: string;
  json: string;
  /** An integer id the database numbers, as its column definition. */
  serialKey: string;
  /** Column lines after `deliveries.id` (PostgreSQL's insertion order), each starting with a newline. */
  deliveryOrder: string;
}

function transactionsTable(d: SqlDialect): string {
  return `CREATE TABLE ${d.table('transactions')} (
        id ${d.key} PRIMARY KEY,
        council TEXT NOT NULL,
        type TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        envelope ${d.json},
        created_at ${d.time} NOT NULL,
        purged_at ${d.time},
        UNIQUE (council, idempotency_key)
      );`;
}

function deliveriesTable(d: SqlDialect): string {
  return `CREATE TABLE ${d.table('deliveries')} (
        id ${d.key} PRIMARY KEY,${d.deliveryOrder}
        transaction_id ${d.key} NOT NULL REFERENCES ${d.table('transactions')} (id),
        council TEXT NOT NULL,
        target ${d.key} NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('one', 'all', 'fallback', 'shadow')),
        link_order INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead', 'discarded', 'skipped')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at ${d.time} NOT NULL,
        lease_owner TEXT,
        lease_expires_at ${d.time},
        last_error ${d.json},
        receipt ${d.json},
        created_at ${d.time} NOT NULL,
        updated_at ${d.time} NOT NULL
      );`;
}

/** Attempts under `name`, with the outcomes its CHECK allows (version 3 added 'unknown'). */
function attemptsTable(d: SqlDialect, name: string, outcomes: readonly string[]): string {
  return `CREATE TABLE ${d.table(name)} (
        id ${d.serialKey},
        delivery_id ${d.key} NOT NULL REFERENCES ${d.table('deliveries')} (id),
        attempt INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN (${outcomes.map((o) => `'${o}'`).join(', ')})),
        classification TEXT,
        code TEXT,
        message TEXT
      );`;
}

/** `at` is text in both databases: the audit hash covers this exact string. */
function auditTable(d: SqlDialect): string {
  return `CREATE TABLE ${d.table('audit')} (
        council TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        transaction_id TEXT,
        delivery_id TEXT,
        payload_hash TEXT,
        details ${d.json},
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (council, seq)
      );`;
}

function statusUpdatesTable(d: SqlDialect): string {
  return `CREATE TABLE ${d.table('status_updates')} (
        id ${d.serialKey},
        transaction_id TEXT,
        target TEXT NOT NULL,
        external_ref TEXT NOT NULL,
        update_id TEXT,
        body ${d.json} NOT NULL,
        received_at ${d.time} NOT NULL
      );`;
}

function cursorsTable(d: SqlDialect): string {
  return `CREATE TABLE ${d.table('cursors')} (
        name TEXT PRIMARY KEY,
        cursor TEXT NOT NULL,
        updated_at ${d.time} NOT NULL
      );`;
}

function workersTable(d: SqlDialect): string {
  return `CREATE TABLE ${d.table('workers')} (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        lease_ms INTEGER NOT NULL,
        started_at ${d.time} NOT NULL,
        heartbeat_at ${d.time} NOT NULL
      );`;
}

/** The shared tables' statements in one database's dialect, for its migrations. */
export function tablesIn(d: SqlDialect) {
  return {
    transactions: transactionsTable(d),
    deliveries: deliveriesTable(d),
    attempts: (name: string, outcomes: readonly string[]) => attemptsTable(d, name, outcomes),
    audit: auditTable(d),
    statusUpdates: statusUpdatesTable(d),
    cursors: cursorsTable(d),
    workers: workersTable(d),
  };
}
