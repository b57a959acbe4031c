import { Parser, type LineCounter, type YAMLError } from 'yaml';
import type { ValidationIssue } from '@lgx/core';
import { showSourceLine } from './source-line';
import { KEY_HOMES } from './stack-keys';

/** A place in the file, 1-based. */
interface Spot {
  line: number;
  column: number;
}

/** A key that lines up other keys: its column (0-based), name and line. */
interface Level {
  column: number;
  name: string;
  line: number;
}

/** The key a line starts with (after indentation and list dashes), and the column it starts in. */
function keyOf(text: string): { column: number; name: string | undefined } {
  const match = /^(\s*(?:-\s+)*)(['"]?)([^'"#:\s][^'"#:]*?|)\2\s*:(?:\s|$)/.exec(text);
  const indent = /^\s*(?:-\s+)*/.exec(text)![0].length;
  return { column: indent, name: match ? match[3] : undefined };
}

const blank = (text: string): boolean => /^\s*(#.*)?$/.test(text);

/** A key's name fit for a message: keys are not secrets, but a long or odd one is cut. */
const named = (name: string): string => `'${name.length > 40 ? `${name.slice(0, 40)}…` : name}'`;

/** The keys above line `index` (0-based) that the keys of each enclosing mapping line up with. */
function levelsAbove(lines: readonly string[], index: number): Level[] {
  const levels: Level[] = [];
  let limit = Infinity;
  for (let i = index - 1; i >= 0 && limit > 0; i -= 1) {
    const text = lines[i]!;
    if (blank(text)) continue;
    const { column, name } = keyOf(text);
    if (name !== undefined && column < limit) {
      levels.push({ column, name, line: i + 1 });
      limit = column;
    }
  }
  return levels;
}

/** A key that does not line up with the keys above it: where it could go instead. */
function misaligned(lines: readonly string[], index: number): { spot: Spot; what: string } {
  const { column, name } = keyOf(lines[index]!);
  const levels = levelsAbove(lines, index);
  const deeper = levels.filter((l) => l.column > column).sort((a, b) => a.column - b.column)[0];
  const shallower = levels.filter((l) => l.column < column).sort((a, b) => b.column - a.column)[0];
  const options = [deeper, shallower]
    .filter((l): l is Level => l !== undefined)
    .map((l) => `column ${l.column + 1} (like ${named(l.name)} on line ${l.line})`);
  const subject = name === undefined ? 'this line' : named(name);
  const move = options.length ? `: move it to ${options.join(' or ')}` : '';
  return {
    spot: { line: index + 1, column: column + 1 },
    what: `${subject} starts in column ${column + 1}, which lines it up with no key above it (the keys of one mapping start in the same column)${move}`,
  };
}

interface CstToken {
  type: string;
  offset: number;
  source?: string;
  start?: CstToken | CstToken[];
  end?: CstToken[];
  value?: CstToken;
  key?: CstToken;
  items?: Array<{ key?: CstToken; value?: CstToken }>;
}

/** Where quotes and brackets open that never close: the parser reports the end of the file instead. */
function unclosed(text: string): { quotes: CstToken[]; flows: CstToken[] } {
  const quotes: CstToken[] = [];
  const flows: CstToken[] = [];
  const visit = (token: CstToken | undefined, depth: number): void => {
    if (!token || depth > 100) return;
    if (token.type === 'single-quoted-scalar' || token.type === 'double-quoted-scalar') {
      const source = token.source ?? '';
      const quote = source[0]!;
      if (source.length < 2 || !source.trimEnd().endsWith(quote) || /\n/.test(source.trimEnd())) quotes.push(token);
    }
    if (token.type === 'flow-collection') {
      const opener = Array.isArray(token.start) ? token.start[0] : token.start;
      const closer = opener?.source === '{' ? 'flow-map-end' : 'flow-seq-end';
      if (!(token.end ?? []).some((e) => e.type === closer)) flows.push(token);
    }
    visit(token.value, depth + 1);
    for (const item of token.items ?? []) {
      visit(item.key, depth + 1);
      visit(item.value, depth + 1);
    }
  };
  for (const token of new Parser().parse(text)) visit(token as unknown as CstToken, 0);
  return { quotes, flows };
}

/** The last of `tokens` that opens at or before `offset`. */
function lastBefore(tokens: readonly CstToken[], offset: number, at: (token: CstToken) => number): CstToken | undefined {
  return tokens.filter((t) => at(t) <= offset).sort((a, b) => at(b) - at(a))[0];
}

/** A syntax error in words: where the mistake is (not where the parser gave up) and what to do. */
function explain(
  error: YAMLError,
  lines: readonly string[],
  spotAt: (offset: number) => Spot,
  found: ReturnType<typeof unclosed>,
): { spot: Spot; what: string } {
  const spot = spotAt(error.pos[0]);
  const line = lines[spot.line - 1] ?? '';
  switch (error.code) {
    case 'MISSING_CHAR': {
      const quote = /quote/.test(error.message) ? lastBefore(found.quotes, error.pos[0], (t) => t.offset) : undefined;
      if (quote) {
        const mark = quote.source![0]!;
        return {
          spot: spotAt(quote.offset),
          what: `the value that starts with the ${mark === "'" ? 'single' : 'double'} quote here is never closed: end it with ${mark} on the same line`,
        };
      }
      return { spot, what: 'is missing a character here (a quote, a comma or a closing bracket)' };
    }
    case 'BAD_INDENT': {
      const flow = /^Flow (map|sequence)/.exec(error.message);
      if (flow) {
        const opener = lastBefore(found.flows, error.pos[0], (t) => (Array.isArray(t.start) ? t.start[0]!.offset : t.start!.offset));
        const open = flow[1] === 'map' ? '{' : '[';
        const close = flow[1] === 'map' ? '}' : ']';
        const at = opener ? (Array.isArray(opener.start) ? opener.start[0]!.offset : opener.start!.offset) : error.pos[0];
        return { spot: spotAt(at), what: `the ${open} opened here is never closed: end it with ${close} on the same line` };
      }
      return misaligned(lines, spot.line - 1);
    }
    case 'TAB_AS_INDENT':
      return { spot, what: 'is indented with a tab: YAML indents with spaces only' };
    case 'BAD_SCALAR_START': {
      const mark = /character (\S)/.exec(error.message)?.[1] ?? line[spot.column - 1] ?? '';
      return { spot, what: `a value cannot start with ${mark} unless it is in quotes: put the whole value in quotes ('${mark}…')` };
    }
    case 'BLOCK_AS_IMPLICIT_KEY': {
      // A key with a value on its line, and the next line indented under it as if it had none.
      const here = keyOf(line);
      const nextIndex = lines.findIndex((l, i) => i >= spot.line && !blank(l));
      const next = nextIndex >= 0 ? keyOf(lines[nextIndex]!) : undefined;
      if (here.name !== undefined && next?.name !== undefined && next.column > here.column) {
        return {
          spot: { line: nextIndex + 1, column: next.column + 1 },
          what: `${named(next.name)} is indented under ${named(here.name)}, which already has a value on line ${spot.line}: line it up with ${named(here.name)} (column ${here.column + 1})`,
        };
      }
      return { spot, what: "has a second ': ' on one line: a value that contains ': ' must be in quotes" };
    }
    case 'MULTILINE_IMPLICIT_KEY': {
      const word = line.trim().replace(/^(-\s+)*/, '');
      if (!word.includes(':')) {
        return {
          spot: { line: spot.line, column: keyOf(line).column + 1 },
          what: KEY_HOMES.has(word) ? `${named(word)} has no ':' after it: write ${word}:` : "this line has no ':' after its key",
        };
      }
      return { spot, what: "a key must fit on one line, followed by ':'" };
    }
    case 'UNEXPECTED_TOKEN':
      if (/\$\{/.test(line) && /[{[]/.test(line.slice(0, line.indexOf('${')))) {
        return {
          spot: { line: spot.line, column: line.indexOf('${') + 1 },
          what: "a ${…} reference inside { } or [ ] must be in quotes: write '${env:NAME}'",
        };
      }
      return { spot, what: `has ${JSON.stringify(line[spot.column - 1] ?? '')} where YAML does not expect it` };
    case 'BAD_DQ_ESCAPE':
      return {
        spot,
        what: 'has a backslash inside double quotes that starts no escape sequence: use single quotes, or write \\\\ for a backslash',
      };
    case 'MULTIPLE_DOCS':
      return { spot, what: "starts a second YAML document ('---'): a stack file is one document" };
    default:
      return { spot, what: 'is not valid YAML here' };
  }
}

/**
 * A syntax error worded for people: what is wrong and what to write instead, at the line and column of
 * the mistake (an unclosed quote or bracket where it opens, not at the end of the file), with the
 * line's text as `params.text` (values that could be secrets masked, see `showSourceLine`) and the
 * column within it as `params.caret`. No parser code or parser message reaches the text: they can
 * quote the source. Only the first mistake is described: after it the parser misreads the rest of
 * the file, and what it reports there is mostly an echo.
 */
export function describeYamlError(text: string, errors: readonly YAMLError[], lineCounter: LineCounter): ValidationIssue {
  const lines = text.split(/\r?\n/);
  const spotAt = (offset: number): Spot => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const first = [...errors].sort((a, b) => a.pos[0] - b.pos[0])[0]!;
  const { spot, what } = explain(first, lines, spotAt, unclosed(text));
  const shown = showSourceLine(lines[spot.line - 1] ?? '');
  return {
    path: '',
    rule: 'yaml',
    message: `${what} (line ${spot.line}, column ${spot.column})`,
    params: { line: spot.line, column: spot.column, text: shown.text, caret: shown.column(spot.column) },
  };
}
