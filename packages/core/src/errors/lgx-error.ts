import type { LgxErrorCode } from './codes';
import type { ValidationIssue } from '../types';

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

/** A value failed its schema. `issues` lists every problem with a JSON-pointer path and the rule broken. */
export class LgxValidationError extends LgxError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options: LgxErrorOptions & { subject?: string; code?: LgxErrorCode } = {}) {
    const subject = options.subject ?? 'value';
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    const message = first ? `${subject} is not valid: ${first.path || '/'} ${first.message}${more}` : `${subject} is not valid`;
    super(options.code ?? 'LGX_ERR_VALIDATION_INVALID', message, options);
    this.name = 'LgxValidationError';
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
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
