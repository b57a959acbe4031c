/**
 * bench/reports: transactions reports over 1,000,000 stored transactions, on SQLite.
 *
 * (a) A year of monthly service KPIs per service from the reporting rollups (stack.report, which
 *     sums a year of day rows and folds them into months) vs the same figures aggregated from the raw
 *     transactions and deliveries in the same store (one indexed SQL query over the year's rows, then
 *     the same arithmetic). The figures must agree; the ratio is raw time over rollup time.
 * (b) Accepting transactions (insertTransaction, as a stack's submit, many at a time so they share
 *     commits) on the store as it is (rollups written in each accept's commit) vs the store as it
 *     was before rollups (its source at that commit, extracted to a temporary folder and run
 *     beside it). The ratio is with over without.
 *   npx tsx bench/reports.ts          (npm run bench:reports)
 * BENCH_REPORT_ROWS transactions seeded (default 1,000,000), BENCH_REPORT_ACCEPTS transactions per
 * accept round (default 20,000), BENCH_REPORT_ROUNDS rounds (default 3).
 *
 * Seeding writes the rows straight into the SQLite file in large transactions (transactions with
 * their report columns, deliveries, delivering attempts: as a year of traffic leaves them, payloads
 * purged), then builds the rollups with rebuildRollups(), whose time is printed too: accepting a
 * million transactions through the store one commit group at a time would take most of the run.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createTransaction, type Channel } from '@lgx/core';
import { createSqliteStore, openReadModel, type NewTransaction, type ReportQuery, type Store } from '@lgx/runtime';
import { seeded } from '../packages/runtime/test/helpers/seeded';

const repoRoot = path.resolve(__dirname, '..');
const COUNCIL = 'E07000223';
const SERVICES = ['street.report', 'waste.missedCollection', 'waste.containerRequest', 'waste.bulkyBooking', 'councilTax.changeOfAddress'];
const CHANNELS: Channel[] = ['web', 'web', 'web', 'open311', 'phone', 'phone', 'staff', 'face_to_face', 'post', 'app'];
const TARGETS = ['confirm', 'civica'];
/** The commit before the rollups: the accept baseline is the store as it was there. */
const BEFORE_ROLLUPS = '5a14ab0';
const YEAR_START = Date.parse('2025-04-01T00:00:00Z');
const YEAR_MS = 365 * 86_400_000;
const UNIT_COSTS = { '*': { web: 0.15, app: 0.15, open311: 0.15, phone: 2.83, staff: 2.83, face_to_face: 8.62, post: 5.1 } };

const n = (x: number) => Math.round(x).toLocaleString('en-GB');
const ms = (x: number) => `${x.toFixed(1)} ms`;

/**
 * A year of traffic written straight into the file: 90% service transactions (one delivery each:
 * 96% delivered 2 s to 10 min later, 3% dead, 1% still queued), 7% journey starts, 3% ratings.
 */
function seed(file: string, rows: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insertTransaction = db.prepare(
    'INSERT INTO transactions (id, council, type, idempotency_key, envelope, created_at, purged_at, channel, lgsl, service, rating) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)',
  );
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, receipt, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'one', 0, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAttempt = db.prepare(
    "INSERT INTO attempts (delivery_id, attempt, started_at, finished_at, outcome) VALUES (?, 1, ?, ?, 'delivered')",
  );
  const random = seeded(20261207);
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const created = new Date(YEAR_START + Math.floor(random() * YEAR_MS)).toISOString();
      const channel = CHANNELS[Math.floor(random() * CHANNELS.length)]!;
      const service = SERVICES[Math.floor(random() * SERVICES.length)]!;
      const kind = random();
      const id = `bench-${i}`;
      if (kind < 0.07) {
        insertTransaction.run(id, COUNCIL, 'journey.started', id, created, created, channel, null, service, null);
        continue;
      }
      if (kind < 0.1) {
        insertTransaction.run(
          id,
          COUNCIL,
          'feedback.satisfaction',
          id,
          created,
          created,
          channel,
          null,
          service,
          1 + Math.floor(random() * 5),
        );
        continue;
      }
      insertTransaction.run(id, COUNCIL, service, id, created, created, channel, null, service, null);
      const outcome = random();
      const state = outcome < 0.96 ? 'delivered' : outcome < 0.99 ? 'dead' : 'pending';
      const deliveryId = `${id}-d`;
      const finished = new Date(Date.parse(created) + 2000 + Math.floor(random() * 600_000)).toISOString();
      insertDelivery.run(
        deliveryId,
        id,
        COUNCIL,
        TARGETS[i % TARGETS.length]!,
        state,
        state === 'pending' ? 0 : 1,
        created,
        state === 'delivered' ? '{"externalRef":"R"}' : null,
        created,
        finished,
      );
      if (state === 'delivered') insertAttempt.run(deliveryId, created, finished);
    }
  });
  for (let from = 0; from < rows; from += 50_000) batch(from, Math.min(rows, from + 50_000));
  db.prepare(
    "INSERT INTO queue_depth (target, pending) SELECT target, COUNT(*) FROM deliveries WHERE state = 'pending' GROUP BY target ON CONFLICT (target) DO UPDATE SET pending = excluded.pending",
  ).run();
  db.close();
}

interface MonthFigures {
  number_of_transactions: number;
  number_of_digital_transactions: number;
  total_cost: number | null;
  num_responses: number;
  delivered: number;
  dead: number;
  queued: number;
}

/**
 * The baseline of (a): the year's monthly figures per service from the raw rows, in one SQL query
 * using the transactions' (council, created_at) index and each one's deliveries by the
 * (transaction_id) index (`+d.state` keeps SQLite from the dead-letter index, which would scan every
 * dead letter per transaction), then the reports' arithmetic.
 */
function rawMonthlyKpis(db: Database.Database): Map<string, MonthFigures> {
  const rows = db
    .prepare(
      `SELECT substr(t.created_at, 1, 7) AS month, COALESCE(t.service, t.type) AS service, t.channel AS channel,
         SUM(EXISTS (SELECT 1 FROM deliveries d WHERE d.transaction_id = t.id AND +d.state = 'delivered' AND d.mode <> 'shadow')) AS completed,
         SUM(t.rating IS NOT NULL) AS responses,
         SUM((SELECT COUNT(*) FROM deliveries d WHERE d.transaction_id = t.id AND +d.state = 'delivered')) AS delivered,
         SUM((SELECT COUNT(*) FROM deliveries d WHERE d.transaction_id = t.id AND +d.state = 'dead')) AS dead,
         SUM((SELECT COUNT(*) FROM deliveries d WHERE d.transaction_id = t.id AND +d.state = 'pending')) AS queued
       FROM transactions t WHERE t.council = ? AND t.created_at >= ? AND t.created_at < ?
       GROUP BY 1, 2, 3`,
    )
    .all(COUNCIL, new Date(YEAR_START).toISOString(), new Date(YEAR_START + YEAR_MS).toISOString()) as Array<{
    month: string;
    service: string;
    channel: string;
    completed: number;
    responses: number;
    delivered: number;
    dead: number;
    queued: number;
  }>;
  const out = new Map<string, MonthFigures>();
  for (const r of rows) {
    const key = `${r.month}|${r.service}`;
    const f = out.get(key) ?? {
      number_of_transactions: 0,
      number_of_digital_transactions: 0,
      total_cost: 0,
      num_responses: 0,
      delivered: 0,
      dead: 0,
      queued: 0,
    };
    f.number_of_transactions += r.completed;
    if (['web', 'app', 'open311', 'api', 'staff'].includes(r.channel)) f.number_of_digital_transactions += r.completed;
    f.total_cost = f.total_cost! + r.completed * (UNIT_COSTS['*'] as Record<string, number>)[r.channel]!;
    f.num_responses += r.responses;
    f.delivered += r.delivered;
    f.dead += r.dead;
    f.queued += r.queued;
    out.set(key, f);
  }
  for (const f of out.values()) f.total_cost = Math.round(f.total_cost! * 100) / 100;
  return out;
}

/** (b)'s transactions: a street report with one pending delivery, a new key each. */
function acceptInput(): NewTransaction {
  const envelope = createTransaction(
    'street.report',
    { kind: 'pothole', description: 'Pothole by the bus stop', location: { usrn: '8400709' } } as never,
    { council: COUNCIL, channel: 'web', idempotencyKey: randomUUID() },
  );
  return {
    envelope,
    deliveries: [{ id: randomUUID(), target: 'confirm', mode: 'one', order: 0, state: 'pending' }],
    audit: { actor: 'bench', action: 'transaction.accepted' },
    now: new Date(),
  };
}

/** Accepts per second: `total` transactions, 200 in flight (they share commits, as a busy gateway's do). */
async function acceptRate(store: Store, total: number): Promise<number> {
  const inputs = Array.from({ length: total }, acceptInput);
  const started = performance.now();
  for (let i = 0; i < total; i += 200) await Promise.all(inputs.slice(i, i + 200).map((input) => store.insertTransaction(input)));
  return (total * 1000) / (performance.now() - started);
}

async function main(): Promise<void> {
  const rows = Number(process.env.BENCH_REPORT_ROWS ?? 1_000_000);
  const accepts = Number(process.env.BENCH_REPORT_ACCEPTS ?? 20_000);
  const rounds = Number(process.env.BENCH_REPORT_ROUNDS ?? 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-bench-reports-'));
  // Inside the repository, so the baseline's imports resolve to its node_modules (.tmp-* is ignored by git).
  const baselineDir = fs.mkdtempSync(path.join(repoRoot, 'bench', '.tmp-before-rollups-'));
  try {
    // Printed as each step ends: seeding a million rows takes a while.
    const lines = { push: (...out: string[]) => console.log(out.join('\n')) };
    lines.push(`bench/reports: ${n(rows)} transactions, SQLite, ${os.cpus().length} cores`);

    // (a) Seed a year, build the rollups, then read a year of monthly KPIs both ways.
    const file = path.join(dir, 'year.db');
    const setup = createSqliteStore({ file });
    await setup.migrate();
    await setup.close();
    let started = performance.now();
    seed(file, rows);
    lines.push(
      `  seeded ${n(rows)} transactions (rows written straight into the file) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const model = await openReadModel({ store: createSqliteStore({ file }), council: COUNCIL, unitCosts: UNIT_COSTS });
    started = performance.now();
    const rebuilt = await model.rebuildRollups({ actor: 'bench' });
    lines.push(`  rebuildRollups() read ${n(rebuilt.transactions)} transactions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const raw = new Database(file, { readonly: true });
    const query: ReportQuery = { period: 'month', start_at: '2025-04-01', end_at: '2026-04-01', group_by: ['service'] };
    const fromRollups = async () => (await model.report('service-kpis', query)).data;
    // The figures must agree before either is timed.
    const expected = rawMonthlyKpis(raw);
    const answer = await fromRollups();
    let compared = 0;
    for (const record of answer) {
      const want = expected.get(`${String(record._timestamp).slice(0, 7)}|${String(record.service)}`);
      if (!want) throw new Error(`no raw figures for ${String(record._timestamp)} ${String(record.service)}`);
      for (const [field, value] of Object.entries(want)) {
        if (record[field] !== value)
          throw new Error(
            `${String(record._timestamp)} ${String(record.service)} ${field}: rollups ${String(record[field])}, raw ${String(value)}`,
          );
        compared += 1;
      }
    }
    if (answer.length !== 12 * SERVICES.length) throw new Error(`expected ${12 * SERVICES.length} records, got ${answer.length}`);
    const rollupTimes: number[] = [];
    const rawTimes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let t = performance.now();
      rawMonthlyKpis(raw);
      rawTimes.push(performance.now() - t);
      t = performance.now();
      for (let i = 0; i < 5; i++) await fromRollups();
      rollupTimes.push((performance.now() - t) / 5);
    }
    raw.close();
    // The other periods, from the same day rows (days are summed into periods by the store).
    const periodTimes: string[] = [];
    for (const period of ['day', 'week', 'quarter', 'financial_year'] as const) {
      const times: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const t = performance.now();
        await model.report('service-kpis', { ...query, period });
        times.push(performance.now() - t);
      }
      periodTimes.push(`${period} ${ms(Math.min(...times))}`);
    }
    await model.close();
    const bestRollups = Math.min(...rollupTimes);
    const bestRaw = Math.min(...rawTimes);
    lines.push(
      `  (a) a year of monthly service KPIs (${answer.length} records, ${n(compared)} figures equal both ways)`,
      `      from the rollups ${ms(bestRollups).padStart(10)} (rounds ${rollupTimes.map(ms).join(', ')})`,
      `      from raw rows    ${ms(bestRaw).padStart(10)} (rounds ${rawTimes.map(ms).join(', ')})`,
      `      ratio ${(bestRaw / bestRollups).toFixed(1)}x faster from the rollups (aim: at least 20x)`,
      `      the same year from the rollups by other periods: ${periodTimes.join(', ')}`,
    );

    // (b) Accepting, with the rollups and with the store as it was before them.
    execFileSync('sh', ['-c', `git -C "${repoRoot}" archive ${BEFORE_ROLLUPS} packages/runtime/src/store | tar -x -C "${baselineDir}"`]);
    const before = (await import(path.join(baselineDir, 'packages/runtime/src/store/sqlite-store.ts'))) as {
      createSqliteStore: typeof createSqliteStore;
    };
    // Each round on new files (so neither side pays for the other's grown file), sides in turn first.
    const side = async (open: typeof createSqliteStore, name: string, total: number): Promise<number> => {
      const store = open({ file: path.join(dir, `${name}.db`) });
      try {
        await store.migrate();
        return await acceptRate(store, total);
      } finally {
        await store.close();
      }
    };
    await side(createSqliteStore, 'warm-with', 1000);
    await side(before.createSqliteStore, 'warm-without', 1000);
    const withRates: number[] = [];
    const withoutRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) withoutRates.push(await side(before.createSqliteStore, `without-${round}`, accepts));
      withRates.push(await side(createSqliteStore, `with-${round}`, accepts));
      if (round % 2 === 1) withoutRates.push(await side(before.createSqliteStore, `without-${round}`, accepts));
    }
    const bestWith = Math.max(...withRates);
    const bestWithout = Math.max(...withoutRates);
    lines.push(
      `  (b) accepting ${n(accepts)} transactions a round, 200 in flight`,
      `      with rollups    ${n(bestWith).padStart(8)}/s (rounds ${withRates.map(n).join(', ')})`,
      `      before rollups  ${n(bestWithout).padStart(8)}/s (rounds ${withoutRates.map(n).join(', ')})`,
      `      ratio ${(bestWith / bestWithout).toFixed(2)} (with / without; aim: at least 0.9)`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(baselineDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
