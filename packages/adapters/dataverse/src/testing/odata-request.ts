/**
 * How the simulator reads OData v4 requests the way the Dataverse Web API does: the resource segment
 * (`incidents`, `incidents(<guid>)`, `incidents(lgx_transactionid='LGX-1')`), `$select`, the simple
 * `$filter` comparisons the Web API samples use, `$orderby`, `$top`, and the `Prefer` header.
 */

/** A parsed resource segment: an entity set, maybe with a row addressed by id or by alternate key. */
export interface ResourceSegment {
  name: string;
  id?: string;
  key?: { column: string; value: string };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** `incidents(lgx_transactionid='a''b')` -> key value `a'b`; undefined when the segment is not OData. */
export function parseResource(segment: string): ResourceSegment | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$/s.exec(segment);
  if (!m) return undefined;
  const name = m[1]!;
  const inner = m[2];
  if (inner === undefined) return { name };
  if (isGuid(inner)) return { name, id: inner.toLowerCase() };
  const key = /^([A-Za-z_][A-Za-z0-9_]*)='((?:[^']|'')*)'$/s.exec(inner);
  if (!key) return undefined;
  return { name, key: { column: key[1]!, value: key[2]!.replace(/''/g, "'") } };
}

export type Comparison = { column: string; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; value: string | number | boolean | null };

/** `$filter` as a list of comparisons joined by `and` (all the simulator needs); undefined if unreadable. */
export function parseFilter(text: string): Comparison[] | undefined {
  const out: Comparison[] = [];
  for (const part of text.split(/\s+and\s+/i)) {
    const m =
      /^\s*\(?\s*([A-Za-z_][A-Za-z0-9_]*)\s+(eq|ne|gt|ge|lt|le)\s+(null|true|false|'(?:[^']|'')*'|-?[0-9]+(?:\.[0-9]+)?|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2}))\s*\)?\s*$/i.exec(
        part,
      );
    if (!m) return undefined;
    const raw = m[3]!;
    let value: Comparison['value'];
    if (raw === 'null') value = null;
    else if (raw === 'true' || raw === 'false') value = raw === 'true';
    else if (raw.startsWith("'")) value = raw.slice(1, -1).replace(/''/g, "'");
    else if (/^-?[0-9]+(\.[0-9]+)?$/.test(raw)) value = Number(raw);
    else value = raw;
    out.push({ column: m[1]!, op: m[2]!.toLowerCase() as Comparison['op'], value });
  }
  return out;
}

function compare(a: unknown, b: Comparison['value']): number | undefined {
  if (a === null || a === undefined || b === null) return undefined;
  if (
    typeof b === 'string' &&
    typeof a === 'string' &&
    /^[0-9]{4}-/.test(b) &&
    !Number.isNaN(Date.parse(b)) &&
    !Number.isNaN(Date.parse(a))
  )
    return Date.parse(a) - Date.parse(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/** Whether a row's values meet every comparison. */
export function matches(values: Record<string, unknown>, filter: readonly Comparison[]): boolean {
  return filter.every(({ column, op, value }) => {
    const actual = values[column] ?? null;
    if (op === 'eq') return value === null ? actual === null : compare(actual, value) === 0;
    if (op === 'ne') return value === null ? actual !== null : compare(actual, value) !== 0;
    const c = compare(actual, value);
    if (c === undefined) return false;
    return op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
  });
}

/** The preferences of a `Prefer` header (several headers or comma-separated), by name. */
export function preferences(header: string | string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const part of text.split(',')) {
    const [name, ...rest] = part.trim().split('=');
    if (name) out.set(name.trim().toLowerCase(), rest.join('=').trim().replace(/^"|"$/g, ''));
  }
  return out;
}

/** Paging and delta positions, opaque to the client as Dataverse's are. */
export function encodeToken(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeToken<T>(text: string): T | undefined {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
