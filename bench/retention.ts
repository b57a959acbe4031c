/**
 * bench/retention: retention per type (a dry run, then the purge) with 100,000 payloads kept vs with
 * 10,000, on each store, in the same run. Each round adds the same 1,000 payloads past their type's
 * period (500 street reports ended 200 days ago, kept 120 days; 500 missed collections ended 400 days
 * ago, kept by the default 365 days) beside the payloads still inside their periods, then times
 * previewRetention and purgeFinished. Both read the index of held payloads per type in end order
 * from the start of each type's range, so their cost follows the rows that go: the ratio
 * (time with 100,000 kept / with 10,000 kept) should be near 1. The query plans are printed.
 *   npx tsx bench/retention.ts          (npm run bench:retention)
 * BENCH_RETENTION_ROUNDS rounds (default 3), BENCH_RETENTION_STORES (sqlite,postgres). PostgreSQL
 * runs on a throwaway server started here and is skipped, with a message, when it is not installed.
 * Rows are written with SQL in the store's own tables (states, deliveries and end times consistent),
 * as accepting 100,000 through a stack would take minutes and measures something else.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { createPostgresStore, createSqliteStore, previewRetention, purgeFinished, type Store } from '@lgx/runtime';
import { heldTypesSql, retentionPageSql, retentionPreviewSql } from '../packages/runtime/src/store/retention-sql';
import { SqlParams } from '../packages/runtime/src/store/sql-params';
import { onPostgres, runBench } from './bench-main';

const COUNCIL = 'E07000223';
const SIZES = [10_000, 100_000] as const;
const DUE_PER_ROUND = 1_000;
const NOW = new Date('2026-12-01T12:00:00.000Z');
const DAY_MS = 86_400_000;
const PERIODS = { olderThanDays: 365, types: { 'street.report': 120 }, now: NOW };
const TYPES = ['street.report', 'waste.missedCollection', 'waste.containerRequest', 'councilTax.changeOfAddress', 'crm.case'];

/** The part of pg the fill uses (the store keeps pg's types to itself). */
const pg = createRequire(__filename)('pg') as {
  Pool: new (config: { connectionString: string; max: number }) => {
    query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
    end(): Promise<void>;
  };
};

/**
 * Kept row `i`: one of five types in turn, ended `i` minutes before NOW (100,000 minutes is 69 days,
 * inside every period); 3 in 100 still pending (no end time), the rest delivered or (1 in 50) dead.
 */
const KEPT = {
  type: (i: string) => `CASE ${i} % 5 ${TYPES.map((t, k) => `WHEN ${k} THEN '${t}'`).join(' ')} END`,
  state: (i: string) => `CASE WHEN ${i} % 100 < 3 THEN 'pending' WHEN ${i} % 50 = 7 THEN 'dead' ELSE 'delivered' END`,
};

/** Due row `i` of a round: even rows street reports ended 200 days ago, odd rows missed collections ended 400 days ago. */
const DUE = {
  type: (i: string) => `CASE ${i} % 2 WHEN 0 THEN 'street.report' ELSE 'waste.missedCollection' END`,
  daysAgo: (i: string) => `CASE ${i} % 2 WHEN 0 THEN 200 ELSE 400 END`,
};

const iso = (d: Date) => d.toISOString();

function fillSqlite(db: Database.Database, prefix: string, rows: number, type: string, state: string, endedAt: string): void {
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
    INSERT INTO transactions (id, council, type, idempotency_key, envelope, created_at, service, state, ended_at)
    SELECT '${prefix}' || i, '${COUNCIL}', ${type}, '${prefix}' || i, '{}', ${endedAt}, ${type}, ${state},
      CASE WHEN ${state} = 'pending' THEN NULL ELSE ${endedAt} END FROM n`);
  db.exec(`INSERT INTO deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, created_at, updated_at)
    SELECT 'd-' || id, id, council, 'waste', 'one', 0, state, 1, created_at, created_at, created_at
    FROM transactions WHERE id LIKE '${prefix}%'`);
}

async function fillPostgres(
  pool: InstanceType<typeof pg.Pool>,
  s: string,
  prefix: string,
  rows: number,
  type: string,
  state: string,
  endedAt: string,
): Promise<void> {
  await pool.query(`INSERT INTO ${s}.transactions (id, council, type, idempotency_key, envelope, created_at, service, state, ended_at)
    SELECT '${prefix}' || g.i, '${COUNCIL}', ${type}, '${prefix}' || g.i, '{}'::jsonb, ${endedAt}, ${type}, ${state},
      CASE WHEN ${state} = 'pending' THEN NULL ELSE ${endedAt} END FROM generate_series(1, ${rows}) AS g(i)`);
  await pool.query(`INSERT INTO ${s}.deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, created_at, updated_at)
    SELECT 'd-' || id, id, council, 'waste', 'one', 0, state, 1, created_at, created_at, created_at
    FROM ${s}.transactions WHERE id LIKE '${prefix}%'`);
}

/** One store at one size: how to add a round's due rows, and its plans. */
interface Subject {
  store: Store;
  addDue(round: number): Promise<void>;
  plans(): Promise<string[]>;
  close(): Promise<void>;
}

/** The statements retention runs, with the values of a street.report page, to explain. */
function statements(
  numbered: boolean,
  t: (name: string) => string,
  tiebreak: string,
): Array<{ label: string; sql: string; values: unknown[] }> {
  const before = iso(new Date(NOW.getTime() - 120 * DAY_MS));
  const page = new SqlParams(numbered);
  const pageSql = retentionPageSql(t, page, {
    type: 'street.report',
    before,
    after: { endedAt: before, key: numbered ? 'x' : 0 },
    tiebreak,
    limit: 500,
  });
  const preview = new SqlParams(numbered);
  const previewSql = retentionPreviewSql(t, preview, { type: 'street.report', before });
  return [
    { label: 'types held', sql: heldTypesSql(t), values: [] },
    { label: 'purge page', sql: pageSql, values: page.values },
    { label: 'dry run', sql: previewSql, values: preview.values },
  ];
}

async function sqliteSubject(dir: string, kept: number): Promise<Subject> {
  const file = path.join(dir, `retention-${kept}.db`);
  const setup = createSqliteStore({ file });
  await setup.migrate();
  await setup.close();
  const db = new Database(file);
  const endedAt = (i: string, days: string) =>
    `strftime('%Y-%m-%dT%H:%M:%fZ', '${iso(NOW)}', '-' || (${days}) || ' days', '-' || ${i} || ' minutes')`;
  fillSqlite(db, 'kept-', kept, KEPT.type('i'), KEPT.state('i'), endedAt('i', '0'));
  db.exec('ANALYZE');
  const store = createSqliteStore({ file });
  return {
    store,
    async addDue(round) {
      fillSqlite(db, `due-${round}-`, DUE_PER_ROUND, DUE.type('i'), `'delivered'`, endedAt('i', DUE.daysAgo('i')));
    },
    async plans() {
      return statements(false, (name) => name, 'tr.rowid').flatMap(({ label, sql, values }) => [
        `    ${label}:`,
        ...(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values) as Array<{ detail: string }>).map((r) => `      ${r.detail}`),
      ]);
    },
    async close() {
      db.close();
      await store.close();
    },
  };
}

async function postgresSubject(connectionString: string, kept: number): Promise<Subject> {
  const schema = `bench_retention_${kept}`;
  const s = `"${schema}"`;
  const store = createPostgresStore({ connectionString, schema });
  await store.migrate();
  const pool = new pg.Pool({ connectionString, max: 1 });
  const endedAt = (i: string, days: string) => `'${iso(NOW)}'::timestamptz - (${days}) * interval '1 day' - ${i} * interval '1 minute'`;
  await fillPostgres(pool, s, 'kept-', kept, KEPT.type('g.i'), KEPT.state('g.i'), endedAt('g.i', '0'));
  await pool.query(`ANALYZE ${s}.transactions`);
  await pool.query(`ANALYZE ${s}.deliveries`);
  return {
    store,
    async addDue(round) {
      await fillPostgres(pool, s, `due-${round}-`, DUE_PER_ROUND, DUE.type('g.i'), `'delivered'`, endedAt('g.i', DUE.daysAgo('g.i')));
    },
    async plans() {
      const out: string[] = [];
      for (const { label, sql, values } of statements(true, (name) => `${s}.${name}`, 'tr.id')) {
        const plan = await pool.query(`EXPLAIN ${sql}`, values);
        out.push(`    ${label}:`, ...plan.rows.map((r) => `      ${String(r['QUERY PLAN'])}`));
      }
      return out;
    },
    async close() {
      await pool.end();
      await store.close();
    },
  };
}

const ms = (x: number) => `${x.toFixed(1).padStart(7)} ms`;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

async function benchOneStore(name: string, open: (kept: number) => Promise<Subject>, rounds: number): Promise<string[]> {
  const subjects: Subject[] = [];
  try {
    for (const size of SIZES) subjects.push(await open(size));
    const best = SIZES.map(() => ({ preview: Infinity, purge: Infinity }));
    // Alternating rounds, best of each size; every round must find and purge exactly the rows added.
    for (let round = 0; round < rounds; round++)
      for (let k = 0; k < subjects.length; k++) {
        const subject = subjects[k]!;
        await subject.addDue(round);
        const preview = await timed(() => previewRetention(subject.store, PERIODS));
        const found = preview.value.reduce((sum, r) => sum + r.count, 0);
        if (found !== DUE_PER_ROUND) throw new Error(`${name} ${SIZES[k]}: the dry run found ${found}, not ${DUE_PER_ROUND}`);
        const purge = await timed(() => purgeFinished(subject.store, PERIODS));
        if (purge.value !== DUE_PER_ROUND) throw new Error(`${name} ${SIZES[k]}: purged ${purge.value}, not ${DUE_PER_ROUND}`);
        best[k] = { preview: Math.min(best[k]!.preview, preview.ms), purge: Math.min(best[k]!.purge, purge.ms) };
      }
    const [small, large] = best as [{ preview: number; purge: number }, { preview: number; purge: number }];
    return [
      name,
      `  dry run of ${DUE_PER_ROUND.toLocaleString('en-GB')} due: ${ms(small.preview)} with 10,000 kept, ${ms(large.preview)} with 100,000 kept; ratio ${(large.preview / small.preview).toFixed(2)} (aim: near 1)`,
      `  purge of ${DUE_PER_ROUND.toLocaleString('en-GB')} due:   ${ms(small.purge)} with 10,000 kept, ${ms(large.purge)} with 100,000 kept; ratio ${(large.purge / small.purge).toFixed(2)} (aim: near 1)`,
      `  plans with 100,000 kept:`,
      ...(await subjects[1]!.plans()),
    ];
  } finally {
    for (const subject of subjects) await subject.close().catch(() => undefined);
  }
}

export async function benchRetention(options: { rounds?: number; stores?: string[] } = {}): Promise<string[]> {
  const rounds = options.rounds ?? Number(process.env.BENCH_RETENTION_ROUNDS ?? 3);
  const stores = options.stores ?? (process.env.BENCH_RETENTION_STORES ?? 'sqlite,postgres').split(',');
  const out = [`best of ${rounds} alternating rounds; periods: 365 days, street.report 120 days`];
  for (const name of stores) {
    out.push('');
    if (name === 'postgres') {
      out.push(
        ...(await onPostgres((connectionString) => benchOneStore('PostgreSQL', (kept) => postgresSubject(connectionString, kept), rounds))),
      );
      continue;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-retention-'));
    try {
      out.push(...(await benchOneStore('SQLite', (kept) => sqliteSubject(dir, kept), rounds)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

if (require.main === module) runBench('bench/retention: retention per type, 100,000 payloads kept vs 10,000', () => benchRetention());
