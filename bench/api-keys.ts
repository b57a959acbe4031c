import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresStore, createSqliteStore, type Store } from '../packages/runtime/src';
import { onPostgres, runBench } from './bench-main';

/**
 * API key lookups in the store at 100 keys and at 100,000: a lookup is one search of the primary key
 * (the key id), never a scan of the table; the query plans are printed. Prints lookups per second at
 * each size and their ratio (1.0: the same cost), for SQLite and PostgreSQL. A B-tree search grows
 * with the index's depth (a level or so from 100 to 100,000 keys) and with reads that miss the page
 * cache; a scan would grow a thousandfold. The gateway caches what it looked up on top of this.
 *
 *   npx tsx bench/api-keys.ts
 */

const SMALL = 100;
const LARGE = 100_000;
const LOOKUPS = 5_000;

const HASH = 'ab'.repeat(32);
const idOf = (i: number): string => i.toString(16).padStart(12, '0');
/** How each store finds a key at the large size: its query plan (an index search, not a scan). */
const plans: string[] = [];
const councilOf = (i: number): string => `E0700${String(i % 300).padStart(4, '0')}`;

/** Adds keys [from, to) in one database transaction: the fill is set-up, not what is measured. */
type Fill = (from: number, to: number) => Promise<void>;

function sqliteFill(file: string): Fill {
  return async (from, to) => {
    const db = new Database(file);
    const insert = db.prepare('INSERT INTO api_keys (id, council, scopes, hash, created_at) VALUES (?, ?, \'["submit","read"]\', ?, ?)');
    db.transaction(() => {
      for (let i = from; i < to; i++) insert.run(idOf(i), councilOf(i), HASH, new Date().toISOString());
    })();
    if (to === LARGE)
      plans.push(
        `SQLite plan: ${(db.prepare('EXPLAIN QUERY PLAN SELECT * FROM api_keys WHERE id = ?').all(idOf(1)) as Array<{ detail: string }>).map((r) => r.detail).join('; ')}`,
      );
    db.close();
  };
}

function postgresFill(connectionString: string): Fill {
  return async (from, to) => {
    const client = new pg.Pool({ connectionString, max: 1 });
    try {
      await client.query(
        `INSERT INTO api_keys (id, council, scopes, hash, created_at)
         SELECT lpad(to_hex(i), 12, '0'), 'E0700' || lpad((i % 300)::text, 4, '0'), '["submit","read"]'::jsonb, $3, now()
         FROM generate_series($1::int, $2::int - 1) AS i`,
        [from, to, HASH],
      );
      await client.query('ANALYZE api_keys');
      const plan = await client.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT * FROM api_keys WHERE id = $1', [idOf(1)]);
      if (to === LARGE) plans.push(`PostgreSQL plan: ${plan.rows.map((r) => r['QUERY PLAN'].trim()).join('; ')}`);
    } finally {
      await client.end();
    }
  };
}

/** Lookups per second of random existing ids among the first `size` (and one unknown id in ten). */
async function lookups(store: Store, size: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let n = 0; n < LOOKUPS; n++) {
    const id = n % 10 === 0 ? 'ffffffffffff' : idOf(Math.floor(Math.random() * size));
    await store.findApiKey(id);
  }
  return (LOOKUPS * 1e9) / Number(process.hrtime.bigint() - started);
}

async function measure(name: string, store: Store, fill: Fill): Promise<string> {
  await store.migrate();
  await fill(0, SMALL);
  await lookups(store, SMALL); // warm-up
  const small = await lookups(store, SMALL);
  await fill(SMALL, LARGE);
  const large = await lookups(store, LARGE);
  return `${name.padEnd(10)} ${Math.round(small).toLocaleString('en-GB').padStart(9)}/s at ${SMALL}   ${Math.round(large).toLocaleString('en-GB').padStart(9)}/s at ${LARGE.toLocaleString('en-GB')}   ratio ${(large / small).toFixed(2)}`;
}

runBench(
  `API key lookups by id, ${LOOKUPS.toLocaleString('en-GB')} each, at ${SMALL} and ${LARGE.toLocaleString('en-GB')} keys`,
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-keys-'));
    const rows: string[] = [];
    const file = path.join(dir, 'lgx.db');
    const sqlite = createSqliteStore({ file });
    try {
      rows.push(await measure('SQLite', sqlite, sqliteFill(file)));
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
    rows.push(
      ...(await onPostgres(async (connectionString) => {
        const store = createPostgresStore({ connectionString });
        try {
          return [await measure('PostgreSQL', store, postgresFill(connectionString))];
        } finally {
          await store.close();
        }
      })),
    );
    return [...rows, '', ...plans];
  },
);
