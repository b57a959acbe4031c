import jsonata from 'jsonata';
import { PermanentError, type ValidationIssue } from '@lgx/core';

/** What every expression can read besides its input. */
export type Bindings = Record<string, unknown>;

/** A JSONata expression from the config, compiled once, named by its config path in every message. */
export interface Expression {
  /** JSON pointer into the adapter config, e.g. `/operations/street.report/submit/body`. */
  path: string;
  evaluate(input: unknown, bindings: Bindings): Promise<unknown>;
}

/** Plain JSON: no prototypes, functions or JSONata sequence flags; Dates as ISO strings. */
export function plain(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/**
 * Compiles `source`, or records an issue naming `path`. Only the expression's own text and position
 * reach the message: a failure while evaluating names the config path and the JSONata error code,
 * never the data it failed on (it may be personal data).
 */
export function compile(source: string, path: string, issues: ValidationIssue[]): Expression | undefined {
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
        const e = error as { code?: string; position?: number };
        throw new PermanentError(`the mapping at ${path} failed on this transaction (JSONata ${e.code ?? 'error'}${e.position !== undefined ? ` at character ${e.position}` : ''})`, {
          details: { mapping: path, ...(e.code !== undefined ? { jsonataCode: e.code } : {}) },
        });
      }
    },
  };
}

/** A text template with `{JSONata}` placeholders (`{{` and `}}` for literal braces). */
export interface Template {
  path: string;
  /** Literal text between placeholders, and the placeholders, in order. */
  parts: Array<string | Expression>;
  /** The literal text with each placeholder as `{}`: the shape OpenAPI paths are compared by. */
  shape: string;
  render(input: unknown, bindings: Bindings, encode: (value: string) => string): Promise<string>;
}

/** Compiles a template, or records an issue naming `path` (unbalanced braces, a bad expression). */
export function compileTemplate(source: string, path: string, issues: ValidationIssue[]): Template | undefined {
  const parts: Array<string | Expression> = [];
  let shape = '';
  let literal = '';
  let ok = true;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if ((c === '{' || c === '}') && source[i + 1] === c) {
      literal += c;
      shape += c;
      i++;
      continue;
    }
    if (c === '}') {
      issues.push({ path, rule: 'template', message: `has a '}' without its '{' at character ${i} (write '}}' for a literal brace)` });
      return undefined;
    }
    if (c !== '{') {
      literal += c;
      shape += c;
      continue;
    }
    const end = source.indexOf('}', i + 1);
    if (end < 0) {
      issues.push({ path, rule: 'template', message: `has a '{' without its '}' at character ${i}` });
      return undefined;
    }
    if (literal) parts.push(literal);
    literal = '';
    const expression = compile(source.slice(i + 1, end), `${path}`, issues);
    if (!expression) ok = false;
    else parts.push(expression);
    shape += '{}';
    i = end;
  }
  if (literal) parts.push(literal);
  if (!ok) return undefined;
  return {
    path,
    parts,
    shape,
    async render(input, bindings, encode) {
      let out = '';
      for (const part of parts) {
        if (typeof part === 'string') {
          out += part;
          continue;
        }
        const value = await part.evaluate(input, bindings);
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw new PermanentError(`the template at ${path} has a placeholder with no text value for this call (it gave ${value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : typeof value})`, { details: { mapping: path } });
        }
        out += encode(String(value));
      }
      return out;
    },
  };
}
