/**
 * bench/subjects: finding one person among 100,000 stored transactions through the subject index, on
 * SQLite and on PostgreSQL, in one process.
 * (a) The plan of the index lookup, printed from the database itself (EXPLAIN QUERY PLAN / EXPLAIN).
 * (b) `find` by email with 1,000 transactions stored, then again with BENCH_SUBJECT_ROWS stored
 *     (default 100,000): finds a second at each size and the ratio large over small (1: the cost does
 *     not grow with the store; a search that decrypted every row would fall by about 100x).
 * (c) `erase` of one person (two transactions) with the store full: milliseconds each.
 *   npx tsx bench/subjects.ts
 * BENCH_SUBJECT_STORES (sqlite,postgres). PostgreSQL runs on a throwaway server started here and is
 * skipped, with a message, when its binaries are not installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createTransaction, type Envelope } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import {
  CouncilKeyring,
  createPostgresStore,
  createSqliteStore,
  openSubjectRequests,
  parseKeyEncryptionKey,
  subjectHash,
  type Store,
} from '@lgx/runtime';
import { postgresAvailability, startPostgresServer } from '../packages/runtime/test/helpers/postgres-server';
import { rate } from './rate';

const COUNCIL = 'E07000223';
const KEK = randomBytes(32).toString('base64');
const ROWS = Number(process.env.BENCH_SUBJECT_ROWS ?? 100_000);
const SMALL = 1_000;
const FINDS = 2_000;
const STORES = (process.env.BENCH_SUBJECT_STORES ?? 'sqlite,postgres').split(',');
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })
  .map((f) => f.data as { requester?: { person: Record<string, unknown> } })
  .find((d) => d.requester !== undefined)!;

const n = (x: number) => Math.round(x).toLocaleString('en-GB');
const email = (i: number) => `resident-${i}@example.org`;

const base = createTransaction('waste.missedCollection', structuredClone(missed) as never, { council: COUNCIL, channel: 'web' });

/** Transaction `i`: a missed collection by resident i / 2 (each person has two), copied from one validated envelope. */
function tx(i: number): Envelope {
  const data = structuredClone(missed);
  data.requester!.person = { ...data.requester!.person, email: email(Math.floor(i / 2)) };
  return { ...base, id: randomUUID(), idempotencykey: `bench-subject-${i}`, data };
}

/** Stores transactions [from, to) sealed, as a stack with a key stores them (no delivery: the index is the point here). */
async function load(store: Store, keyring: CouncilKeyring, from: number, to: number): Promise<void> {
  await rate(
    async (i) => {
      const { envelope, sealing } = keyring.sealEnvelope(tx(from + i));
      await store.insertTransaction({
        envelope,
        sealing,
        deliveries: [],
        audit: { actor: 'bench', action: 'transaction.accepted' },
        now: new Date(),
      });
    },
    to - from,
    64,
  );
}

async function findRate(store: Store, stored: number): Promise<number> {
  const requests = await openSubjectRequests({ store, council: COUNCIL, encryptionKey: KEK });
  return rate(
    async (i) => {
      const found = await requests.find({ email: email((i * 7919) % (stored / 2)) });
      if (found.length !== 2) throw new Error(`expected 2 transactions, found ${found.length}`);
    },
    FINDS,
    4,
  );
}

async function benchStore(name: string, store: Store, plan: (hash: string) => Promise<string>): Promise<void> {
  await store.migrate();
  const keyring = await CouncilKeyring.open({ council: COUNCIL, store, kek: parseKeyEncryptionKey(KEK) });
  const hash = subjectHash(keyring.indexKeys()[0]!, 'email', email(1));
  await load(store, keyring, 0, SMALL);
  const small = await findRate(store, SMALL);
  const started = process.hrtime.bigint();
  await load(store, keyring, SMALL, ROWS);
  console.log(`${name}: ${n(ROWS)} sealed transactions stored in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
  console.log(`${name}: plan of the subject index lookup:\n${await plan(hash)}`);
  const large = await findRate(store, ROWS);
  console.log(
    `${name}: find by email ${n(small)}/s with ${n(SMALL)} stored, ${n(large)}/s with ${n(ROWS)} stored: ratio ${(large / small).toFixed(2)} (1: does not grow with the store)`,
  );
  const requests = await openSubjectRequests({ store, council: COUNCIL, encryptionKey: KEK });
  const erasing = process.hrtime.bigint();
  const erased = await requests.erase({ email: email(Math.floor(ROWS / 4)) }, { actor: 'bench', via: 'cli', confirmed: true });
  const ms = Number(process.hrtime.bigint() - erasing) / 1e6;
  console.log(
    `${name}: erase of one person (${erased.transactions.length} transactions, then ${name === 'SQLite' ? 'a WAL checkpoint' : 'VACUUM of the touched tables'}) ${ms.toFixed(0)} ms`,
  );
}

const LOOKUP = (t: (name: string) => string, marks: string) =>
  `SELECT DISTINCT transaction_id FROM ${t('subject_index')} WHERE council = ${marks}`;

async function main(): Promise<void> {
  if (STORES.includes('sqlite')) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-subjects-'));
    const file = path.join(dir, 'lgx.db');
    const store = createSqliteStore({ file });
    try {
      await benchStore('SQLite', store, async (hash) => {
        const db = new Database(file, { readonly: true });
        try {
          const rows = db
            .prepare(`EXPLAIN QUERY PLAN ${LOOKUP((x) => x, '? AND hash IN (?) ORDER BY transaction_id LIMIT 10001')}`)
            .all(COUNCIL, hash) as Array<{ detail: string }>;
          return rows.map((r) => `  ${r.detail}`).join('\n');
        } finally {
          db.close();
        }
      });
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  if (STORES.includes('postgres')) {
    const availability = postgresAvailability();
    if (!availability.binaries) console.log(`PostgreSQL: skipped (${availability.reason})`);
    else {
      const server = await startPostgresServer(availability.binaries);
      const store = createPostgresStore({ connectionString: server.connectionString });
      const pool = new pg.Pool({ connectionString: server.connectionString });
      try {
        await benchStore('PostgreSQL', store, async (hash) => {
          await pool.query('ANALYZE subject_index');
          const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
            `EXPLAIN ${LOOKUP((x) => `public.${x}`, '$1 AND hash = ANY($2::text[]) ORDER BY transaction_id LIMIT 10001')}`,
            [COUNCIL, [hash]],
          );
          return rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n');
        });
      } finally {
        await pool.end();
        await store.close();
        await server.stop();
      }
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
