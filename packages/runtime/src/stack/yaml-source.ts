import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { LgxValidationError, PROTOTYPE_KEYS, type ValidationIssue } from '@lgx/core';

/** A parsed YAML stack: its plain value and a way back from a JSON pointer to a line of the file. */
export interface YamlSource {
  value: unknown;
  /** The 1-based line of the key (or item) a JSON pointer names, or of its nearest existing ancestor. */
  lineOf(pointer: string): number | undefined;
}

/**
 * Aliases a document may expand. A stack needs a handful at most; the cap stops "billion laughs"
 * documents whose aliases expand exponentially.
 */
export const MAX_ALIAS_COUNT = 100;

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
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

function pointerLine(doc: Document, pointer: string, lineAt: (offset: number) => number): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined = isMap(node) || isSeq(node) || isScalar(node) ? (node.range ? lineAt(node.range[0]) : undefined) : undefined;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = unescapePointer(raw);
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      if (isScalar(pair.key) && pair.key.range) line = lineAt(pair.key.range[0]);
      node = pair.value;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segment)];
      if (item === undefined) break;
      const range = (item as { range?: [number, number, number] }).range;
      if (range) line = lineAt(range[0]);
      node = item;
    } else {
      break;
    }
  }
  return line;
}

/**
 * Parses a stack file. Refuses syntax errors, duplicate keys, several documents in one file,
 * reserved keys such as `__proto__` and alias bombs, each with its line.
 */
export function parseStackYaml(text: string, subject: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  if (doc.errors.length) {
    const issues = doc.errors.map((error): ValidationIssue => {
      const line = lineAt(error.pos[0]);
      // The parser's own message can quote the source text (a secret, say): say what kind of error only.
      const what = error.code === 'DUPLICATE_KEY' ? 'has a key that appears twice in the same mapping' : `is not valid YAML (${error.code})`;
      const path = error.code === 'DUPLICATE_KEY' ? (pointerOfKeyAt(doc.contents, error.pos[0]) ?? '') : '';
      return { path, rule: error.code === 'DUPLICATE_KEY' ? 'uniqueKeys' : 'yaml', message: `${what} (line ${line})`, params: { line } };
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
      [{ path: '', rule: 'maxAliasCount', message: `expands too many aliases (more than ${MAX_ALIAS_COUNT}); anchors and aliases that multiply are refused` }],
      { subject, cause: error },
    );
  }
  return { value, lineOf: (pointer) => pointerLine(doc, pointer, lineAt) };
}
