import jsonata from 'jsonata';
import { PermanentError, type ValidationIssue } from '@lgx/core';

/** A JSONata expression from the config, compiled once, named by its config path for every message. */
export interface CompiledExpression {
  /** JSON pointer into the adapter config, e.g. `/operations/street.report/submit/request`. */
  path: string;
  evaluate(input: unknown, bindings: Record<string, unknown>): Promise<unknown>;
}

/** Plain JSON: drops prototypes, functions, JSONata's sequence flags; turns Dates into ISO strings. */
export function plain(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/**
 * Compiles `source`, or adds an issue naming `path` (the JSONata message and position come from the
 * expression the council wrote, never from transaction data, so they are safe to show).
 */
export function compile(source: string, path: string, issues: ValidationIssue[]): CompiledExpression | undefined {
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(source);
  } catch (error) {
    const e = error as { code?: string; message?: string; position?: number };
    issues.push({ path, rule: 'jsonata', message: `is not a valid JSONata expression: ${e.code ?? 'error'} ${e.message ?? ''}${e.position !== undefined ? ` (at character ${e.position})` : ''}`.trim() });
    return undefined;
  }
  return {
    path,
    async evaluate(input, bindings) {
      try {
        return plain(await compiled.evaluate(input, bindings));
      } catch (error) {
        // Only the code and position: a runtime message can quote the data (personal data) it failed on.
        const e = error as { code?: string; position?: number };
        throw new PermanentError(`the mapping at ${path} failed on this transaction (JSONata ${e.code ?? 'error'}${e.position !== undefined ? ` at character ${e.position}` : ''})`, {
          ...(e.code !== undefined ? { details: { jsonataCode: e.code } } : {}),
        });
      }
    },
  };
}
