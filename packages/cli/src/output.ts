import { isLgxError, LgxValidationError } from '@lgx/core';

/** Where a command writes: injectable so tests and the demo can capture it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress may redraw lines). */
  tty: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  tty: Boolean(process.stdout.isTTY),
};

/** Exit codes scripts can rely on (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** What was checked is not right: an invalid stack, a failing adapter, a dead letter, a failed check. */
  failed: 1,
  /** Unknown command or option, a missing argument. */
  usage: 2,
  /** Something named was not found (a transaction, a delivery, a file). */
  notFound: 3,
} as const;

/** A command line mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  readonly code = 'LGX_ERR_CLI_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A plain text table with a header row; cells are padded to the widest in each column. */
export function table(headers: string[], rows: Array<Array<string | number | undefined>>): string {
  const cells = rows.map((r) => r.map((c) => (c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** A delivery's last error as one table cell: its classification and message. */
export function lastErrorText(error: { classification: string; message: string } | undefined): string {
  return error ? `${error.classification}: ${error.message}` : '';
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * The line of a stack file an issue points at, as it is shown under the problem: the line's text
 * (values that could be secrets already masked) and a caret under the column.
 */
export function excerpt(params: Record<string, unknown> | undefined): string[] {
  if (typeof params?.text !== 'string' || typeof params.line !== 'number') return [];
  const number = String(params.line);
  const caret = typeof params.caret === 'number' && params.caret > 0 ? params.caret : 1;
  return [`    ${number} | ${params.text}`, `    ${' '.repeat(number.length)} | ${' '.repeat(caret - 1)}^`];
}

/** An error as people read it: the code, the message and every field issue, never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof UsageError) return `error: ${error.message}`;
  if (isLgxError(error)) {
    const lines = [`error ${error.code}: ${error.message}`];
    if (error instanceof LgxValidationError && error.issues.length > 1) {
      for (const issue of error.issues) lines.push(`  ${issue.path || '/'} ${issue.message}`, ...excerpt(issue.params));
      if (error.issueCount > error.issues.length)
        lines.push(`  ... and ${error.issueCount - error.issues.length} more (${error.issueCount} in all)`);
    } else if (error instanceof LgxValidationError) lines.push(...excerpt(error.issues[0]?.params));
    return lines.join('\n');
  }
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}
