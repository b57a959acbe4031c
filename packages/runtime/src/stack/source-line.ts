import { KEY_HOMES } from './stack-keys';

/** Longest line shown back: a stack line is short; anything longer is cut. */
const MAX_SHOWN = 160;

/** `${env:NAME}` and `${file:path}` references: names, not values, so they may be shown. */
const REFERENCE_ONLY = /^(['"]?)(\$\{(env|file):[^}]*\}\s*)+\1$/;

/** Whether a character ends a YAML indicator (`: `, `- `, ` #`): white space or the end of the line. */
const spaceOrEnd = (ch: string | undefined): boolean => ch === undefined || ch === ' ' || ch === '\t';

/** A line of the stack file as it may be shown in a message, and where a column of it went. */
export interface ShownLine {
  text: string;
  /** The 1-based column in `text` of a 1-based column of the original line. */
  column(original: number): number;
}

/**
 * A line of a stack file fit to show in an error message: the values of keys the stack schema does not
 * declare (adapter config, codes) are masked with `***`, since they could be secrets written inline;
 * the stack's own keys and values (`package`, `mode`, `targets`), `${env:…}` references, the
 * indentation and the punctuation (quotes, brackets, colons) stay, as they are what a syntax error is
 * about. Comments are masked too (an old key can hide in one). Long lines are cut.
 */
export function showSourceLine(line: string): ShownLine {
  const map: number[] = [];
  let out = '';
  const emit = (text: string, from: number, to: number): void => {
    for (let i = from; i < to; i += 1) map[i] = out.length + Math.min(i - from, Math.max(0, text.length - 1));
    out += text;
  };
  // Whether values may be shown in each open flow collection, innermost last; brackets count as flow.
  const open: boolean[] = [];
  // A line without a key of its own (a list item, a continuation) belongs to a key we cannot see.
  let showValue = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    const inFlow = open.length > 0;
    if (
      ch === ' ' ||
      ch === '\t' ||
      ch === '{' ||
      ch === '[' ||
      (inFlow && (ch === ',' || ch === '}' || ch === ']')) ||
      (ch === '-' && spaceOrEnd(line[i + 1]))
    ) {
      if (ch === '{' || ch === '[') open.push(showValue);
      if ((ch === '}' || ch === ']') && inFlow) showValue = open.pop()!;
      emit(ch, i, i + 1);
      i += 1;
      continue;
    }
    if (ch === '#' && (i === 0 || spaceOrEnd(line[i - 1]))) {
      emit(line.length > i + 1 ? '#***' : '#', i, line.length);
      break;
    }
    // A scalar: quoted (to its closing quote, or the end of the line when it is not closed) or plain.
    let end = i;
    if (ch === "'" || ch === '"') {
      end = i + 1;
      while (end < line.length && !(line[end] === ch && line[end + 1] !== ch)) end += line[end] === ch ? 2 : 1;
      end = Math.min(line.length, end + 1);
    } else {
      // In a flow collection, , } ] end a plain value; in a block, only ': ' and ' #' do. A ${…}
      // reference is read whole, so it can be shown even where its braces break the YAML.
      while (
        end < line.length &&
        !(inFlow && /[,{}[\]]/.test(line[end]!)) &&
        !(line[end] === ':' && spaceOrEnd(line[end + 1])) &&
        !(line[end] === ' ' && line[end + 1] === '#')
      ) {
        end = line.startsWith('${', end) && line.indexOf('}', end) > 0 ? line.indexOf('}', end) + 1 : end + 1;
      }
      while (end > i && line[end - 1] === ' ') end -= 1;
    }
    const scalar = line.slice(i, end);
    let after = end;
    while (line[after] === ' ') after += 1;
    if (line[after] === ':' && spaceOrEnd(line[after + 1])) {
      // A key: its value is shown when the stack schema declares it.
      const name = scalar.replace(/^(['"])(.*)\1$/, '$2');
      showValue = KEY_HOMES.has(name);
      emit(scalar, i, end);
      emit(line.slice(end, after + 1), end, after + 1);
      i = after + 1;
      continue;
    }
    // A stack key's own name, or a document marker, standing alone says nothing secret.
    if (showValue || REFERENCE_ONLY.test(scalar) || KEY_HOMES.has(scalar) || /^(---|\.\.\.)$/.test(scalar)) emit(scalar, i, end);
    else {
      const quote = ch === "'" || ch === '"' ? ch : '';
      emit(`${quote}***${quote && scalar.length > 1 && scalar.endsWith(quote) ? quote : ''}`, i, end);
    }
    i = end === i ? i + 1 : end;
  }
  const text = out.length > MAX_SHOWN ? `${out.slice(0, MAX_SHOWN)}…` : out;
  return { text, column: (original) => Math.min((map[original - 1] ?? out.length) + 1, text.length + 1) };
}
