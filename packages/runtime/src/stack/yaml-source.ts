import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { LgxValidationError, PROTOTYPE_KEYS, type ValidationIssue } from '@lgx/core';
import { describeYamlError } from './yaml-errors';

/** A parsed YAML stack: its plain value and the line of each key. */
export interface YamlSource {
  value: unknown;
  /** The 1-based line of every key and list item, by JSON pointer (see `stackLine`). */
  lines: Record<string, number>;
}

/**
 * Aliases a document may expand. A stack needs a handful at most; the cap stops "billion laughs"
 * documents whose aliases expand exponentially.
 */
export const MAX_ALIAS_COUNT = 100;

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Finds reserved keys before the document becomes a JS value, so they never touch an object. */
function findPrototypeKeys(node: unknown, pointer: string, lineAt: (offset: number) => number, issues: ValidationIssue[]): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const at = `${pointer}/${escapePointer(key ?? '')}`;
      if (key !== undefined && PROTOTYPE_KEYS.has(key)) {
        const line = isScalar(pair.key) && pair.key.range ? lineAt(pair.key.range[0]) : undefined;
        issues.push({
          path: at,
          rule: 'propertyNames',
          message: `uses the reserved key '${key}', which is refused to prevent prototype pollution${line ? ` (line ${line})` : ''}`,
          ...(line ? { params: { line } } : {}),
        });
      }
      findPrototypeKeys(pair.value, at, lineAt, issues);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => findPrototypeKeys(item, `${pointer}/${i}`, lineAt, issues));
  }
}

/** The JSON pointer of the mapping key that starts at `offset` (where the parser reports a duplicate). */
function pointerOfKeyAt(node: unknown, offset: number, pointer = ''): string | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const at = `${pointer}/${escapePointer(key)}`;
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) return at;
      const found = pointerOfKeyAt(pair.value, offset, at);
      if (found !== undefined) return found;
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const found = pointerOfKeyAt(item, offset, `${pointer}/${i}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The line of every key and list item, by JSON pointer (aliases are not followed: they are used where they stand). */
function keyLines(node: unknown, pointer: string, lineAt: (offset: number) => number, lines: Record<string, number>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const at = `${pointer}/${escapePointer(String(pair.key.value))}`;
      if (pair.key.range) lines[at] = lineAt(pair.key.range[0]);
      keyLines(pair.value, at, lineAt, lines);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const at = `${pointer}/${i}`;
      const range = (item as { range?: [number, number, number] } | null)?.range;
      if (range) lines[at] = lineAt(range[0]);
      keyLines(item, at, lineAt, lines);
    });
  }
}

/**
 * Parses a stack file. Refuses syntax errors (worded for people, with line, column and the line's
 * text, see `describeYamlErrors`), duplicate keys, several documents in one file, reserved keys such
 * as `__proto__` and alias bombs, each with its line.
 */
export function parseStackYaml(text: string, subject: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  if (doc.errors.length) {
    const syntax = doc.errors.filter((error) => error.code !== 'DUPLICATE_KEY');
    if (syntax.length) throw new LgxValidationError([describeYamlError(text, syntax, lineCounter)], { subject });
    const issues = doc.errors.map((error): ValidationIssue => {
      const line = lineAt(error.pos[0]);
      const path = pointerOfKeyAt(doc.contents, error.pos[0]) ?? '';
      return { path, rule: 'uniqueKeys', message: `has a key that appears twice in the same mapping (line ${line})`, params: { line } };
    });
    throw new LgxValidationError(issues, { subject });
  }
  const reserved: ValidationIssue[] = [];
  findPrototypeKeys(doc.contents, '', lineAt, reserved);
  if (reserved.length) throw new LgxValidationError(reserved, { subject });
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new LgxValidationError(
      [
        {
          path: '',
          rule: 'maxAliasCount',
          message: `expands too many aliases (more than ${MAX_ALIAS_COUNT}); anchors and aliases that multiply are refused`,
        },
      ],
      { subject, cause: error },
    );
  }
  const lines: Record<string, number> = {};
  if (isMap(doc.contents) || isSeq(doc.contents) || isScalar(doc.contents)) {
    if (doc.contents.range) lines[''] = lineAt(doc.contents.range[0]);
  }
  keyLines(doc.contents, '', lineAt, lines);
  return { value, lines };
}
