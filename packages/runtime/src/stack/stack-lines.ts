import type { ValidationIssue } from '@lgx/core';

/** Where a stack was loaded from, so checks made later (adapter packages, adapter config) can name a line. */
export interface StackSource {
  /** Absolute path of the stack file. */
  file: string;
  /** The 1-based line of every key and list item in the file, by JSON pointer. */
  lines: Record<string, number>;
}

/** The line of the key or item a JSON pointer names, or of its nearest ancestor in the file. */
export function stackLine(source: StackSource | undefined, pointer: string): number | undefined {
  if (!source) return undefined;
  for (let at = pointer; ; at = at.slice(0, at.lastIndexOf('/'))) {
    const line = source.lines[at];
    if (line !== undefined) return line;
    if (at === '') return undefined;
  }
}

/** Adds the line of the key each issue points at (issues that carry their own line, CSV rows, keep it). */
export function withLines(issues: readonly ValidationIssue[], source: StackSource | undefined): ValidationIssue[] {
  return issues.map((issue) => {
    if (issue.params?.line !== undefined) return issue;
    const line = stackLine(source, issue.path);
    return line === undefined ? issue : { ...issue, message: `${issue.message} (line ${line})`, params: { ...issue.params, line } };
  });
}
