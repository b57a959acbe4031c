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
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** An error as people read it: the code, the message and every field issue, never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof UsageError) return `error: ${error.message}`;
  if (isLgxError(error)) {
    const lines = [`error ${error.code}: ${error.message}`];
    if (error instanceof LgxValidationError && error.issues.length > 1) {
      for (const issue of error.issues) lines.push(`  ${issue.path || '/'} ${issue.message}`);
      if (error.issueCount > error.issues.length) lines.push(`  ... and ${error.issueCount - error.issues.length} more (${error.issueCount} in all)`);
    }
    return lines.join('\n');
  }
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}
