import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPostgresStore, createSqliteStore, type Store } from '../packages/runtime/src';
import { onPostgres, runBench } from './bench-main';

/**
 * API key lookups in the store at 100 keys and at 100,000: a lookup is one probe of the primary key
 * (the key id), so the time per lookup should not grow with the table. Prints lookups per second at
 * each size and their ratio (1.0 means the same cost), for SQLite and PostgreSQL.
 *
 *   npx tsx bench/api-keys.ts
 */

const SMALL = 100;
const LARGE = 100_000;
const LOOKUPS = 5_000;
const BATCH = 500;

const idOf = (i: number): string => i.toString(16).padStart(12, '0');

async function fill(store: Store, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(to, start + BATCH); i++)
      batch.push(
        store.addApiKey({
          id: idOf(i),
          council: `E0700${String(i % 300).padStart(4, '0')}`,
          scopes: ['submit', 'read'],
          hash: 'ab'.repeat(32),
          createdAt: new Date().toISOString(),
        }),
      );
    await Promise.all(batch);
  }
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

async function measure(name: string, store: Store): Promise<string> {
  await store.migrate();
  await fill(store, 0, SMALL);
  await lookups(store, SMALL); // warm-up
  const small = await lookups(store, SMALL);
  await fill(store, SMALL, LARGE);
  const large = await lookups(store, LARGE);
  return `${name.padEnd(10)} ${Math.round(small).toLocaleString('en-GB').padStart(9)}/s at ${SMALL}   ${Math.round(large).toLocaleString('en-GB').padStart(9)}/s at ${LARGE.toLocaleString('en-GB')}   ratio ${(large / small).toFixed(2)}`;
}

runBench(
  `API key lookups by id, ${LOOKUPS.toLocaleString('en-GB')} each, at ${SMALL} and ${LARGE.toLocaleString('en-GB')} keys`,
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-keys-'));
    const rows: string[] = [];
    const sqlite = createSqliteStore({ file: path.join(dir, 'lgx.db') });
    try {
      rows.push(await measure('SQLite', sqlite));
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
    rows.push(
      ...(await onPostgres(async (connectionString) => {
        const pg = createPostgresStore({ connectionString });
        try {
          return [await measure('PostgreSQL', pg)];
        } finally {
          await pg.close();
        }
      })),
    );
    return rows;
  },
);
