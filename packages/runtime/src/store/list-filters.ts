import type { SqlParams } from './sql-params';

/*
 * The WHERE clauses of the stores' listings, the same SQL in both dialects but for placeholders.
 */

/** The WHERE clause of a dead-letter listing. */
export function deadLetterFilter(p: SqlParams, options: { council?: string; target?: string }): string {
  const where = ["state = 'dead'"];
  if (options.council !== undefined) where.push(`council = ${p.add(options.council)}`);
  if (options.target !== undefined) where.push(`target = ${p.add(options.target)}`);
  return where.join(' AND ');
}

/** The WHERE clause of an audit listing. */
export function auditFilter(p: SqlParams, council: string, options: { transactionId?: string; afterSeq?: number }): string {
  const where = [`council = ${p.add(council)}`];
  if (options.transactionId !== undefined) where.push(`transaction_id = ${p.add(options.transactionId)}`);
  if (options.afterSeq !== undefined) where.push(`seq > ${p.add(options.afterSeq)}`);
  return where.join(' AND ');
}

/** The WHERE clause of a transaction listing (times as ISO-8601 text, which both dialects compare as times). */
export function transactionFilter(
  p: SqlParams,
  query: {
    council: string;
    ids?: string[];
    types?: string[];
    channel?: string;
    state?: string;
    from?: Date;
    to?: Date;
    before?: { createdAt: string; id: string };
  },
): string {
  const where = [`council = ${p.add(query.council)}`];
  if (query.ids) where.push(query.ids.length ? `id IN (${p.list(query.ids)})` : '1 = 0');
  if (query.types?.length) where.push(`type IN (${p.list(query.types)})`);
  if (query.channel !== undefined) where.push(`channel = ${p.add(query.channel)}`);
  if (query.state !== undefined) where.push(`state = ${p.add(query.state)}`);
  if (query.from) where.push(`created_at >= ${p.add(query.from.toISOString())}`);
  if (query.to) where.push(`created_at < ${p.add(query.to.toISOString())}`);
  // The first term lets the index seek straight to the cursor; the second leaves out what the previous page showed.
  if (query.before)
    where.push(
      `created_at <= ${p.add(query.before.createdAt)}`,
      `(created_at < ${p.add(query.before.createdAt)} OR (created_at = ${p.add(query.before.createdAt)} AND id < ${p.add(query.before.id)}))`,
    );
  return where.join(' AND ');
}

/** The WHERE clause of a council's status updates (`u` the updates, `t` their transactions). */
export function councilStatusFilter(p: SqlParams, options: { council: string; from?: Date; to?: Date; afterId?: number }): string {
  const where = [`t.council = ${p.add(options.council)}`];
  if (options.from) where.push(`u.received_at >= ${p.add(options.from.toISOString())}`);
  if (options.to) where.push(`u.received_at <= ${p.add(options.to.toISOString())}`);
  if (options.afterId !== undefined) where.push(`u.id > ${p.add(options.afterId)}`);
  return where.join(' AND ');
}
