import type { LgxErrorCode } from './codes';
import type { ValidationIssue } from '../types';
import { MAX_ISSUES } from '../validation/issues';

export interface LgxErrorOptions {
  cause?: unknown;
  /** Structured, non-sensitive detail (never personal data or secrets). */
  details?: Record<string, unknown>;
}

/** Base class of every error LGX throws: a stable `code`, a message, and the `cause`. */
export class LgxError extends Error {
  readonly code: LgxErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: LgxErrorCode, message: string, options: LgxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LgxError';
    this.code = code;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/**
 * A value failed its schema. `issues` lists the problems with a JSON-pointer path and the rule broken:
 * the first 100 at most (`MAX_ISSUES`), so an answer built from it stays small whatever the input;
 * `issueCount` says how many there were in all.
 */
export class LgxValidationError extends LgxError {
  readonly issues: readonly ValidationIssue[];
  /** How many issues were found, including those left out of `issues`. */
  readonly issueCount: number;

  constructor(
    issues: readonly ValidationIssue[],
    options: LgxErrorOptions & { subject?: string; code?: LgxErrorCode; issueCount?: number | undefined } = {},
  ) {
    const subject = options.subject ?? 'value';
    const first = issues[0];
    const count = Math.max(options.issueCount ?? 0, issues.length);
    const more = count > 1 ? ` (and ${count - 1} more)` : '';
    const message = first ? `${subject} is not valid: ${first.path || '/'} ${first.message}${more}` : `${subject} is not valid`;
    super(options.code ?? 'LGX_ERR_VALIDATION_INVALID', message, options);
    this.name = 'LgxValidationError';
    this.issues = issues.length > MAX_ISSUES ? issues.slice(0, MAX_ISSUES) : issues;
    this.issueCount = count;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues, issueCount: this.issueCount };
  }
}

/** A schema, type, version or converter problem. */
export class LgxSchemaError extends LgxError {
  constructor(code: Extract<LgxErrorCode, `LGX_ERR_SCHEMA_${string}`>, message: string, options: LgxErrorOptions = {}) {
    super(code, message, options);
    this.name = 'LgxSchemaError';
  }
}

/** True when `value` is an LgxError (also across package copies, by shape). */
export function isLgxError(value: unknown): value is LgxError {
  if (value instanceof LgxError) return true;
  const code = value instanceof Error ? (value as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('LGX_ERR_');
}
