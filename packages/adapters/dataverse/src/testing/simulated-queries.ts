/**
 * Collection reads of the simulated Web API: plain queries (`$select`, `$filter`, `$orderby`, `$top`)
 * and change tracking (`Prefer: odata.track-changes`): the first request answers every row and ends
 * with an `@odata.deltaLink`; following that link answers the rows changed since and
 * `$deletedEntity` entries for rows deleted since, and a new delta link. Both page by
 * `Prefer: odata.maxpagesize` with `@odata.nextLink` (MicrosoftDocs powerapps-docs
 * `use-change-tracking-synchronize-data-external-systems.md`, `query-data-web-api.md`).
 */
import { decodeToken, encodeToken, matches, type Comparison } from './odata-request';
import { odataError, representation, type SimulatedRow, type TableDef } from './simulated-tables';

/** What a paging or delta position remembers. */
interface Position {
  /** 'list' a plain query, 'initial' the first change-tracking read, 'delta' changes since `from`. */
  kind: 'list' | 'initial' | 'delta';
  /** Rows up to this version belong to the answer (change tracking). */
  snap: number;
  from: number;
  offset: number;
}

export interface CollectionRequest {
  table: TableDef;
  rows: Map<string, SimulatedRow>;
  deleted: ReadonlyArray<{ entitySet: string; id: string; version: number }>;
  version: number;
  select: readonly string[] | undefined;
  filter: readonly Comparison[] | undefined;
  orderby: { column: string; desc: boolean } | undefined;
  top: number | undefined;
  pageSize: number;
  formatted: boolean;
  /** Absolute URL of the collection, with its `$select`, for next and delta links. */
  link: (extra: Record<string, string>) => string;
  context: string;
  skiptoken?: string;
  deltatoken?: { version: number };
  trackChanges: boolean;
}

export interface CollectionAnswer {
  body: Record<string, unknown>;
  tracking: boolean;
}

function sortRows(rows: SimulatedRow[], orderby: CollectionRequest['orderby']): SimulatedRow[] {
  // Ids are lower-case GUIDs: ordinal order is theirs, and fast enough for tables of 100,000 rows.
  if (!orderby) return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const { column, desc } = orderby;
  return rows.sort((a, b) => {
    const x = String(a.values[column] ?? '');
    const y = String(b.values[column] ?? '');
    return (desc ? y.localeCompare(x) : x.localeCompare(y)) || a.id.localeCompare(b.id);
  });
}

/** Answers one page of a collection read (plain, initial change tracking, or delta). */
export function readCollection(req: CollectionRequest): CollectionAnswer {
  let position: Position;
  if (req.skiptoken !== undefined) {
    const decoded = decodeToken<Position>(req.skiptoken);
    if (!decoded || !['list', 'initial', 'delta'].includes(decoded.kind) || !Number.isInteger(decoded.offset))
      throw odataError(400, 'The $skiptoken is not valid.');
    position = decoded;
  } else if (req.deltatoken) {
    position = { kind: 'delta', from: req.deltatoken.version, snap: req.version, offset: 0 };
  } else if (req.trackChanges) {
    if (req.filter || req.orderby || req.top !== undefined)
      throw odataError(400, 'The query options $filter, $orderby and $top are not supported with change tracking.');
    position = { kind: 'initial', from: 0, snap: req.version, offset: 0 };
  } else {
    position = { kind: 'list', from: 0, snap: req.version, offset: 0 };
  }

  const select = req.select;
  // Rows then deletions, in answer order; only the rows of the page answered become JSON.
  let rows: SimulatedRow[];
  let gone: Array<Record<string, unknown>> = [];
  if (position.kind === 'list') {
    const found = sortRows(
      [...req.rows.values()].filter((r) => !req.filter || matches({ ...r.values, [req.table.primaryKey]: r.id }, req.filter)),
      req.orderby,
    );
    rows = req.top !== undefined ? found.slice(0, req.top) : found;
  } else {
    rows = sortRows(
      [...req.rows.values()].filter((r) => r.version > position.from && r.version <= position.snap),
      undefined,
    );
    if (position.kind === 'delta') {
      gone = req.deleted
        .filter((d) => d.entitySet === req.table.entitySet && d.version > position.from && d.version <= position.snap)
        .map((d) => ({
          '@odata.context': `${req.context.replace(/#.*$/, '')}#${req.table.entitySet}/$deletedEntity`,
          id: d.id,
          reason: 'deleted',
        }));
    }
  }

  const end = position.offset + req.pageSize;
  const page = [
    ...rows.slice(position.offset, end).map((r) => representation(req.table, r, select, req.formatted)),
    ...gone.slice(Math.max(0, position.offset - rows.length), Math.max(0, end - rows.length)),
  ];
  const body: Record<string, unknown> = { '@odata.context': req.context, value: page };
  const next = end;
  if (next < rows.length + gone.length) {
    body['@odata.nextLink'] = req.link({ $skiptoken: encodeToken({ ...position, offset: next }) });
  } else if (position.kind !== 'list') {
    body['@odata.deltaLink'] = req.link({ $deltatoken: `${position.snap}!${deltaDate(new Date())}` });
  }
  return { body, tracking: position.kind !== 'list' };
}

/** The date part of a delta token, as Dataverse writes it (MM/dd/yyyy HH:mm:ss, UTC). */
export function deltaDate(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(at.getUTCMonth() + 1)}/${p(at.getUTCDate())}/${at.getUTCFullYear()} ${p(at.getUTCHours())}:${p(at.getUTCMinutes())}:${p(at.getUTCSeconds())}`;
}

/** Reads `<version>!<MM/dd/yyyy HH:mm:ss>`; undefined when it is not one of ours. */
export function parseDeltaToken(text: string): { version: number; issuedAt: number } | undefined {
  const m = /^([0-9]+)!([0-9]{2})\/([0-9]{2})\/([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2})$/.exec(text);
  if (!m) return undefined;
  const issuedAt = Date.UTC(Number(m[4]), Number(m[2]) - 1, Number(m[3]), Number(m[5]), Number(m[6]), Number(m[7]));
  return { version: Number(m[1]), issuedAt };
}
