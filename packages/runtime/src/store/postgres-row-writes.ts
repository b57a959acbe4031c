import { insertSql } from './sql-params';
import { ROW_WRITES } from './row-writes';

type BatchWrite = 'newDelivery' | 'delivery' | 'lease' | 'attempt';
type BatchColumn = (typeof ROW_WRITES)[BatchWrite]['columns'][number] | 'id';

/** The PostgreSQL types of the columns written many rows at a time (one array parameter per column). */
const COLUMN_TYPES: Record<BatchColumn, string> = {
  id: 'text',
  transaction_id: 'text',
  council: 'text',
  target: 'text',
  mode: 'text',
  link_order: 'integer',
  state: 'text',
  attempts: 'integer',
  next_attempt_at: 'timestamptz',
  lease_owner: 'text',
  lease_expires_at: 'timestamptz',
  last_error: 'jsonb',
  receipt: 'jsonb',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  delivery_id: 'text',
  attempt: 'integer',
  started_at: 'text',
  finished_at: 'text',
  outcome: 'text',
  classification: 'text',
  code: 'text',
  message: 'text',
};

/** `columns` as rows read from one array parameter per column ($1 ...), in order, named `v`. */
function unnest(columns: readonly BatchColumn[]): string {
  return `unnest(${columns.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c]}[]`).join(', ')}) AS v(${columns.join(', ')})`;
}

/**
 * The PostgreSQL store's statements that write the delivery state machine's rows, for the schema `s`
 * (quoted). Deliveries and attempts go in one statement however many rows a transition writes (a
 * lease writes one per delivery leased); their parameters are `byColumn` of `ROW_WRITES`' values.
 */
export function postgresRowWrites(s: string) {
  const { newDelivery, delivery, lease, attempt, audit } = ROW_WRITES;
  const update = (columns: readonly BatchColumn[]): string =>
    `UPDATE ${s}.deliveries AS d SET ${columns.map((c) => `${c} = v.${c}`).join(', ')} FROM ${unnest([...columns, 'id'])} WHERE d.id = v.id`;
  return {
    insertDeliveries: `INSERT INTO ${s}.deliveries (${newDelivery.columns.join(', ')}) SELECT * FROM ${unnest(newDelivery.columns)}`,
    updateDeliveries: update(delivery.columns),
    updateLeases: update(lease.columns),
    insertAttempts: `INSERT INTO ${s}.attempts (${attempt.columns.join(', ')}) SELECT * FROM ${unnest(attempt.columns)}`,
    /**
     * An audit entry and its council's head moved to it, in one statement: the head row is already
     * locked by the appender, and the entry's council, seq and hash are its parameters.
     */
    appendAudit: `WITH entry AS (${insertSql(`${s}.audit`, audit.columns, true)})
      UPDATE ${s}.audit_heads SET seq = $${audit.columns.indexOf('seq') + 1}, hash = $${audit.columns.indexOf('hash') + 1}
      WHERE council = $${audit.columns.indexOf('council') + 1}`,
  };
}

/** Rows of values as one array per column: the parameters of an `unnest` statement. */
export function byColumn(values: readonly unknown[][]): unknown[][] {
  const columns = Array.from({ length: values[0]?.length ?? 0 }, (): unknown[] => []);
  for (const row of values) row.forEach((value, i) => columns[i]!.push(value));
  return columns;
}
