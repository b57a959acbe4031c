/**
 * A query's parameters, collected as the query is written: each value added gives back its
 * placeholder, `?` for SQLite or `$n` (numbered from 1) for PostgreSQL, so a query that differs only
 * in placeholders is written once for both dialects (see list-filters.ts).
 */
export class SqlParams {
  readonly values: unknown[] = [];

  constructor(private readonly numbered: boolean) {}

  add(value: unknown): string {
    this.values.push(value);
    return this.numbered ? `$${this.values.length}` : '?';
  }

  /** One placeholder per value, comma-separated (for VALUES and IN lists). */
  list(values: readonly unknown[]): string {
    return values.map((value) => this.add(value)).join(', ');
  }
}

/** An INSERT of one row into `table`'s `columns`, with placeholders in the columns' order. */
export function insertSql(table: string, columns: readonly string[], numbered: boolean): string {
  const marks = columns.map((_, i) => (numbered ? `$${i + 1}` : '?'));
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${marks.join(', ')})`;
}
