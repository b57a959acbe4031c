import { PermanentError } from '../errors/adapter-errors';
import type { ValidationIssue } from '../types';

/** What every mapping can read besides its input, e.g. `$mappings` and `$council`. */
export type MappingBindings = Record<string, unknown>;

/**
 * The JSONata compiler (the `jsonata` package's default export). It is passed in rather than
 * imported, so core stays free of it and only the adapters that map by configuration load it.
 */
export type JsonataCompiler = (source: string) => { evaluate(input: unknown, bindings?: MappingBindings): Promise<unknown> };

/** A JSONata expression from an adapter config, compiled once, named by its config path in every message. */
export interface MappingExpression {
  /** JSON pointer into the adapter config, e.g. `/operations/street.report/submit/response`. */
  path: string;
  evaluate(input: unknown, bindings: MappingBindings): Promise<unknown>;
}

/** Plain JSON: no prototypes, functions or JSONata sequence flags; Dates as ISO strings. */
export function plainJson(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/**
 * Compiles `source`, or records an issue naming `path`. Only the expression's own text and position
 * reach the message: a failure while evaluating names the config path and the JSONata error code,
 * never the data it failed on (it may be personal data).
 */
export function compileMapping(
  jsonata: JsonataCompiler,
  source: string,
  path: string,
  issues: ValidationIssue[],
): MappingExpression | undefined {
  let compiled: ReturnType<JsonataCompiler>;
  try {
    compiled = jsonata(source);
  } catch (error) {
    const e = error as { code?: string; message?: string; position?: number };
    issues.push({
      path,
      rule: 'jsonata',
      message:
        `is not a valid JSONata expression: ${e.code ?? 'error'} ${e.message ?? ''}${e.position !== undefined ? ` (at character ${e.position})` : ''}`.trim(),
    });
    return undefined;
  }
  return {
    path,
    async evaluate(input, bindings) {
      try {
        return plainJson(await compiled.evaluate(input, bindings));
      } catch (error) {
        const e = error as { code?: string; position?: number };
        throw new PermanentError(
          `the mapping at ${path} failed on this transaction (JSONata ${e.code ?? 'error'}${e.position !== undefined ? ` at character ${e.position}` : ''})`,
          {
            details: { mapping: path, ...(e.code !== undefined ? { jsonataCode: e.code } : {}) },
          },
        );
      }
    },
  };
}
