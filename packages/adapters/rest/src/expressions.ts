import jsonata from 'jsonata';
import { compileMapping, PermanentError, type MappingBindings, type MappingExpression, type ValidationIssue } from '@lgx/core';

/** Compiles a JSONata mapping from the config, or records an issue naming `path`. */
export function compile(source: string, path: string, issues: ValidationIssue[]): MappingExpression | undefined {
  return compileMapping(jsonata, source, path, issues);
}

/** A text template with `{JSONata}` placeholders (`{{` and `}}` for literal braces). */
export interface Template {
  path: string;
  /** Literal text between placeholders, and the placeholders, in order. */
  parts: Array<string | MappingExpression>;
  /** The literal text with each placeholder as `{}`: the shape OpenAPI paths are compared by. */
  shape: string;
  render(input: unknown, bindings: MappingBindings, encode: (value: string) => string): Promise<string>;
}

/** Compiles a template, or records an issue naming `path` (unbalanced braces, a bad expression). */
export function compileTemplate(source: string, path: string, issues: ValidationIssue[]): Template | undefined {
  const parts: Array<string | MappingExpression> = [];
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
          throw new PermanentError(
            `the template at ${path} has a placeholder with no text value for this call (it gave ${value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : typeof value})`,
            { details: { mapping: path } },
          );
        }
        out += encode(String(value));
      }
      return out;
    },
  };
}
