import { validate } from './validate';
import { LgxValidationError } from '../errors/lgx-error';
import type { SchemaRegistry } from '../schema/schema-registry';
import type { Envelope, ValidationResult } from '../types';

/** Default largest transaction accepted as bytes: 1 MiB. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

export interface ParseOptions {
  /** Largest input accepted, in bytes (default 1 MiB). Checked before anything is parsed. */
  maxBytes?: number;
  registry?: SchemaRegistry;
  /** Most issues listed in a failed result (default 100); `issueCount` still counts them all. */
  maxIssues?: number;
}

/**
 * Parses a transaction from JSON text or bytes and validates it. The size limit is applied to the
 * raw input before parsing, so an oversized body costs nothing to refuse.
 */
export function parseTransaction(input: string | Uint8Array, options: ParseOptions = {}): ValidationResult<Envelope> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) {
    return {
      ok: false,
      issues: [{ path: '', rule: 'maxBytes', message: `is ${size} bytes; the limit is ${maxBytes} bytes`, params: { limit: maxBytes } }],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8'));
  } catch (error) {
    const where = /position (\d+)/.exec(String((error as Error).message));
    return {
      ok: false,
      issues: [{ path: '', rule: 'json', message: `is not well-formed JSON${where ? ` (at character ${where[1]})` : ''}` }],
    };
  }
  return validate(value, {
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.maxIssues !== undefined ? { maxIssues: options.maxIssues } : {}),
  });
}

/** Like `parseTransaction`, but throws `LgxValidationError` with code TOO_LARGE, MALFORMED_JSON or INVALID. */
export function assertTransaction(input: string | Uint8Array, options: ParseOptions = {}): Envelope {
  const result = parseTransaction(input, options);
  if (result.ok) return result.value;
  const rule = result.issues[0]?.rule;
  const code =
    rule === 'maxBytes'
      ? 'LGX_ERR_VALIDATION_TOO_LARGE'
      : rule === 'json'
        ? 'LGX_ERR_VALIDATION_MALFORMED_JSON'
        : 'LGX_ERR_VALIDATION_INVALID';
  throw new LgxValidationError(result.issues, { subject: 'transaction', code, issueCount: result.issueCount });
}
