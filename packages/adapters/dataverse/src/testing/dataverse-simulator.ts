/**
 * A simulator of the Microsoft Dataverse Web API (OData v4) as Dynamics 365 Customer Service uses it
 * for cases, built from Microsoft's published documentation (MicrosoftDocs `powerapps-docs`
 * data-platform/webapi: compose-http-requests-handle-errors, create-entity-web-api,
 * update-delete-entities-using-web-api, perform-conditional-operations-using-web-api,
 * use-alternate-key-reference-record, use-change-tracking-synchronize-data-external-systems,
 * api-limits; `dynamics-365-customer-engagement` entities/incident.md), with the Entra ID token
 * endpoint beside it on its own port.
 *
 * It keeps incidents, contacts, accounts and case resolutions in memory and models what the adapter
 * relies on: OData headers; create (204 with `OData-EntityId`, or 201 with `Prefer:
 * return=representation`); rows addressed by id or by an alternate key; conditional writes
 * (`If-None-Match: *` create-only answering 412, `If-Match: *` update-only answering 404, `If-Match`
 * with an etag); `@odata.etag` and 304; statecode/statuscode pairs and the `CloseIncident` action;
 * the error envelope; service protection limits (429 with Retry-After and the documented codes);
 * change tracking with delta links, paging and `$deletedEntity` entries; the Bearer token check.
 */
import { randomBytes } from 'node:crypto';
import { reply, startRestSimulator, type RestRequest, type RestResponse, type RestSimulator } from '@lgx/testkit';
import type { DataverseConfig } from '../config';
import { startEntraTokenServer, type EntraTokenServer } from './entra-token-server';
import { parseFilter, parseResource, preferences, type Comparison } from './odata-request';
import { parseDeltaToken, readCollection } from './simulated-queries';
import {
  ACCOUNT,
  CONTACT,
  INCIDENT,
  INCIDENT_RESOLUTION,
  checkWrite,
  newRowId,
  odataError,
  representation,
  stateOf,
  statusesOf,
  unknownColumn,
  type SimulatedRow,
  type TableDef,
} from './simulated-tables';

export const DATAVERSE_SIMULATOR_TENANT_ID = '7c0f1d2e-3a4b-4c5d-8e6f-0a1b2c3d4e5f';
export const DATAVERSE_SIMULATOR_CLIENT_ID = '51f81489-12ee-4a9e-aaae-a2591f45987d';
export const DATAVERSE_SIMULATOR_CLIENT_SECRET = 'lgx-simulator-client-secret-0123456789';
/** The account every simulator starts with, for cases that have no contact. */
export const DATAVERSE_SIMULATOR_ACCOUNT_ID = '0a000000-0000-4000-8000-00000000acc1';

const TABLES: Readonly<Record<string, TableDef>> = {
  incidents: INCIDENT,
  contacts: CONTACT,
  accounts: ACCOUNT,
  incidentresolutions: INCIDENT_RESOLUTION,
};
const API_VERSIONS: ReadonlySet<string> = new Set(['v9.0', 'v9.1', 'v9.2']);
/** Characters an alternate key value cannot hold in a URL (use-alternate-key-reference-record.md). */
const KEY_UNSAFE = /[/<>*%&:\\?+]/;

export interface DataverseSimulatorState {
  incidents: Map<string, SimulatedRow>;
  contacts: Map<string, SimulatedRow>;
  accounts: Map<string, SimulatedRow>;
  incidentresolutions: Map<string, SimulatedRow>;
  /** Rows deleted, with the version of their deletion (change tracking answers them as $deletedEntity). */
  deleted: Array<{ entitySet: string; id: string; version: number }>;
  /** The change-tracking position of the newest write. */
  version: number;
  tickets: number;
  /** Delta tokens below this version are refused as expired. */
  deltaFloor: number;
  /** When each request of the current service-protection window arrived. */
  window: number[];
  inflight: number;
}

export interface ServiceProtection {
  /** Requests allowed per window (Dataverse: 6000 per 300 s per user). */
  requests: number;
  windowMs: number;
  /** Requests allowed in flight at once (Dataverse: 52). */
  concurrent: number;
  /** Retry-After seconds for a refusal of the concurrency limit (the window limit says when it frees). */
  retryAfterSeconds?: number;
}

export interface DataverseSimulatorOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of an access token (Entra ID: about an hour). */
  tokenLifetimeSeconds?: number;
  /** The column with an alternate key on incidents and contacts (default lgx_transactionid). */
  keyColumn?: string;
  /** Prefix of the custom columns the tables accept (default lgx_). */
  customPrefix?: string;
  /** Change tracking enabled on the tables (default true). */
  changeTracking?: boolean;
  /** Age after which a delta token is refused (default 7 days, the documented default). */
  deltaTokenTtlMs?: number;
  /** Service protection limits (default Dataverse's: 6000 requests per 300 s, 52 concurrent); null for none. */
  serviceProtection?: Partial<ServiceProtection> | null;
  /** Time each API request takes inside the server (to exercise the concurrency limit). */
  processingMs?: number;
  /** Largest page the server answers (default 5000). */
  maxPageSize?: number;
  /** Contacts and accounts the environment already holds. */
  contacts?: Array<{ contactid: string } & Record<string, unknown>>;
  accounts?: Array<{ accountid: string } & Record<string, unknown>>;
  /** The council's own case status reasons, per state (e.g. { 0: [100000001] }). */
  statusReasons?: Partial<Record<0 | 1 | 2, number[]>>;
  /**
   * Serve the Entra ID token endpoint on the Dataverse port as well (`authorityHost` is then the
   * environment URL), so one port reaches both, as `lgx simulate` needs. Default: its own port only.
   */
  authorityOnSamePort?: boolean;
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Folder to keep the tables in (`dataverse.json`), so a restart continues the case numbers and change tracking. Default: memory only. */
  stateDir?: string;
}

export interface DataverseSimulator extends RestSimulator<DataverseSimulatorState> {
  /** The environment URL (https://org.crm11.dynamics.com in real life). */
  url: string;
  /** The Web API root, `${url}/api/data/v9.2`. */
  apiUrl: string;
  /** The Entra ID authority host (`https://login.microsoftonline.com` in real life). */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  keyColumn: string;
  /** The token endpoint, with its own requests and faults. */
  entra: EntraTokenServer;
  /** A copy of the incident's columns; throws when there is none. */
  incident(id: string): Record<string, unknown>;
  /** The incident holding this alternate key value, if any. */
  incidentByKey(value: string): Record<string, unknown> | undefined;
  contact(id: string): Record<string, unknown>;
  /** Changes the case's state and status reason, as staff do in the app (any valid pair). */
  setStatus(id: string, statecode: number, statuscode: number): void;
  /** Resolves the case (CloseIncident), default status reason 5 Problem Solved. */
  resolve(id: string, status?: number): void;
  /** Cancels the case, default status reason 6 Canceled. */
  cancel(id: string, status?: number): void;
  /** Changes other columns of the case (no change of status). */
  updateIncident(id: string, values: Record<string, unknown>): void;
  deleteIncident(id: string): void;
  /** Every access token issued so far stops working (expiry, or a revoked secret). */
  expireTokens(): void;
  /** Every delta token issued so far is refused as expired. */
  expireDeltaTokens(): void;
  setServiceProtection(limits: Partial<ServiceProtection> | null): void;
}

const DEFAULT_PROTECTION: ServiceProtection = { requests: 6000, windowMs: 300_000, concurrent: 52 };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isoSecond(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Starts the Dataverse and Entra ID simulators on 127.0.0.1. */
export async function startDataverseSimulator(options: DataverseSimulatorOptions = {}): Promise<DataverseSimulator> {
  const tenantId = options.tenantId ?? DATAVERSE_SIMULATOR_TENANT_ID;
  const clientId = options.clientId ?? DATAVERSE_SIMULATOR_CLIENT_ID;
  const clientSecret = options.clientSecret ?? DATAVERSE_SIMULATOR_CLIENT_SECRET;
  const keyColumn = options.keyColumn ?? 'lgx_transactionid';
  const customPrefix = options.customPrefix ?? 'lgx_';
  const ttl = options.deltaTokenTtlMs ?? 7 * 24 * 3600_000;
  const maxPageSize = options.maxPageSize ?? 5000;
  const extraStatuses = options.statusReasons ?? {};
  let protection: ServiceProtection | null =
    options.serviceProtection === null ? null : { ...DEFAULT_PROTECTION, ...options.serviceProtection };
  let baseUrl = '';
  const apiUrl = () => `${baseUrl}/api/data/v9.2`;

  const entra = await startEntraTokenServer({
    tenantId,
    clientId,
    clientSecret,
    lifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    scope: () => `${baseUrl}/.default`,
  });

  const seed = (): DataverseSimulatorState => {
    const state: DataverseSimulatorState = {
      incidents: new Map(),
      contacts: new Map(),
      accounts: new Map(),
      incidentresolutions: new Map(),
      deleted: [],
      version: 0,
      tickets: 1000,
      deltaFloor: 0,
      window: [],
      inflight: 0,
    };
    const at = isoSecond(Date.now());
    const put = (map: Map<string, SimulatedRow>, id: string, values: Record<string, unknown>) => {
      state.version++;
      map.set(id.toLowerCase(), {
        id: id.toLowerCase(),
        version: state.version,
        values: { statecode: 0, statuscode: 1, ...values, createdon: at, modifiedon: at, versionnumber: state.version },
      });
    };
    put(state.accounts, DATAVERSE_SIMULATOR_ACCOUNT_ID, { name: 'Anonymous callers' });
    for (const { accountid, ...rest } of options.accounts ?? []) put(state.accounts, accountid, rest);
    for (const { contactid, ...rest } of options.contacts ?? []) put(state.contacts, contactid, rest);
    return state;
  };

  const rowsOf = (state: DataverseSimulatorState, table: TableDef) => state[table.entitySet as 'incidents'] as Map<string, SimulatedRow>;
  const hasKey = (table: TableDef) => table === INCIDENT || table === CONTACT;

  /** Bumps the row's version and modified time: every write is a change for change tracking. */
  const touch = (state: DataverseSimulatorState, row: SimulatedRow) => {
    state.version++;
    row.version = state.version;
    row.values.versionnumber = state.version;
    row.values.modifiedon = isoSecond(Date.now());
    if (row.values.firstname !== undefined || row.values.lastname !== undefined)
      row.values.fullname = [row.values.firstname, row.values.lastname].filter(Boolean).join(' ');
  };

  const findRow = (
    state: DataverseSimulatorState,
    table: TableDef,
    req: { id?: string; key?: { column: string; value: string } },
  ): SimulatedRow | undefined => {
    const rows = rowsOf(state, table);
    if (req.id) return rows.get(req.id);
    if (!req.key) return undefined;
    if (!hasKey(table) || req.key.column !== keyColumn)
      throw odataError(400, `The key '${req.key.column}' is not an alternate key of the entity '${table.logicalName}'.`, '0x80060888');
    if (KEY_UNSAFE.test(req.key.value))
      throw odataError(400, `The key value of '${req.key.column}' contains a character an alternate key cannot be addressed with.`);
    for (const row of rows.values()) if (row.values[keyColumn] === req.key.value) return row;
    return undefined;
  };

  const notFound = (table: TableDef, req: { id?: string; key?: { column: string; value: string } }) =>
    req.id
      ? odataError(404, `${table.logicalName} With Id = ${req.id} Does Not Exist`, '0x80040217')
      : odataError(404, `A record with the specified key values does not exist in ${table.logicalName} entity`, '0x80040217');

  const exists = (state: DataverseSimulatorState) => (entitySet: string, id: string) =>
    TABLES[entitySet] !== undefined && rowsOf(state, TABLES[entitySet]!).has(id.toLowerCase());

  const createRow = (
    state: DataverseSimulatorState,
    table: TableDef,
    body: unknown,
    fixed: { id?: string; key?: string },
  ): SimulatedRow => {
    const values = checkWrite(table, body, { mode: 'create', customPrefix, exists: exists(state), extraStatuses });
    if (table.requiredLookup && values[table.requiredLookup] === undefined)
      throw odataError(400, 'You should specify a parent contact or account.', '0x80040203');
    const id = fixed.id ?? newRowId();
    if (rowsOf(state, table).has(id)) throw odataError(412, 'A record with matching key values already exists.');
    const states = statusesOf(table, 0, extraStatuses);
    if (values.statuscode !== undefined && !states.includes(values.statuscode as number))
      throw odataError(400, `${values.statuscode} is not a valid status code for a new ${table.logicalName}.`, '0x80040203');
    const now = isoSecond(Date.now());
    const row: SimulatedRow = { id, version: 0, values: { statecode: 0, statuscode: states[0], ...values, createdon: now } };
    if (fixed.key !== undefined) row.values[keyColumn] = fixed.key;
    if (table === INCIDENT)
      row.values.ticketnumber = `CAS-${String(++state.tickets).padStart(5, '0')}-${randomBytes(3).toString('hex').toUpperCase()}`;
    touch(state, row);
    rowsOf(state, table).set(id, row);
    return row;
  };

  const written = (table: TableDef, row: SimulatedRow, req: RestRequest, status: 201 | 200 | 204): RestResponse => {
    const prefer = preferences(req.headers.prefer);
    const entityId = `${apiUrl()}/${table.entitySet}(${row.id})`;
    if (prefer.has('return') && prefer.get('return') === 'representation') {
      const select = selectOf(req);
      return reply(
        status === 204 ? 200 : status,
        {
          '@odata.context': `${apiUrl()}/$metadata#${table.entitySet}/$entity`,
          ...representation(table, row, select, prefer.has('odata.include-annotations')),
        },
        {
          'odata-version': '4.0',
          'preference-applied': 'return=representation',
          'odata-entityid': entityId,
        },
      );
    }
    return { status: 204, headers: { 'odata-version': '4.0', 'odata-entityid': entityId } };
  };

  const selectOf = (req: RestRequest): string[] | undefined => {
    const text = single(req.query.$select);
    return text === undefined
      ? undefined
      : text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  };

  const checkSelect = (table: TableDef, select: string[] | undefined) => {
    const unknown = select ? unknownColumn(table, select, customPrefix) : undefined;
    if (unknown !== undefined)
      throw odataError(
        400,
        `Could not find a property named '${unknown}' on type 'Microsoft.Dynamics.CRM.${table.logicalName}'.`,
        '0x80060888',
      );
  };

  /** Service protection, per user (the simulator has one): the request window, then concurrency. */
  const admit = (state: DataverseSimulatorState): void => {
    if (!protection) return;
    const now = Date.now();
    while (state.window.length && state.window[0]! <= now - protection.windowMs) state.window.shift();
    if (state.inflight >= protection.concurrent) {
      throw odataError(429, `Number of concurrent requests exceeded the limit of ${protection.concurrent}.`, '0x80072326', {
        'retry-after': String(protection.retryAfterSeconds ?? 1),
      });
    }
    if (state.window.length >= protection.requests) {
      const frees = Math.max(1, Math.ceil((state.window[0]! + protection.windowMs - now) / 1000));
      throw odataError(
        429,
        `Number of requests exceeded the limit of ${protection.requests} over time window of ${Math.round(protection.windowMs / 1000)} seconds.`,
        '0x80072322',
        { 'retry-after': String(frees) },
      );
    }
    state.window.push(now);
  };

  const handle = async (req: RestRequest, state: DataverseSimulatorState): Promise<RestResponse> => {
    if (!API_VERSIONS.has(String(req.params.version)))
      throw odataError(404, `Resource not found for the segment '${String(req.params.version).slice(0, 40)}'.`);
    admit(state);
    state.inflight++;
    try {
      if (options.processingMs) await new Promise((r) => setTimeout(r, options.processingMs));
      const answer = route(req, state);
      answer.headers = { 'odata-version': '4.0', ...answer.headers };
      return answer;
    } finally {
      state.inflight--;
    }
  };

  const route = (req: RestRequest, state: DataverseSimulatorState): RestResponse => {
    const raw = String(req.params.resource);
    const segment = parseResource(raw);
    if (segment?.name === 'WhoAmI' && req.method === 'GET' && !segment.id && !segment.key) {
      return reply(200, {
        '@odata.context': `${apiUrl()}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
        BusinessUnitId: DATAVERSE_SIMULATOR_ACCOUNT_ID,
        UserId: clientId,
        OrganizationId: tenantId,
      });
    }
    if (segment?.name === 'CloseIncident' && req.method === 'POST' && !segment.id && !segment.key) return closeIncident(req, state);
    const table = segment ? TABLES[segment.name] : undefined;
    if (!segment || !table) throw odataError(404, `Resource not found for the segment '${raw.slice(0, 80)}'.`, '0x80060888');
    const addressed = segment.id !== undefined || segment.key !== undefined;
    if (!addressed) {
      if (req.method === 'GET') return readMany(req, state, table);
      if (req.method === 'POST') return written(table, createRow(state, table, req.json, {}), req, 201);
      throw odataError(405, `The HTTP method '${req.method}' is not allowed on the collection '${table.entitySet}'.`);
    }
    const row = findRow(state, table, segment);
    if (req.method === 'GET') {
      if (!row) throw notFound(table, segment);
      const select = selectOf(req);
      checkSelect(table, select);
      if (single(req.headers['if-none-match']) === `W/"${row.version}"`) return { status: 304 };
      const formatted = preferences(req.headers.prefer).has('odata.include-annotations');
      return reply(200, {
        '@odata.context': `${apiUrl()}/$metadata#${table.entitySet}/$entity`,
        ...representation(table, row, select, formatted),
      });
    }
    if (req.method === 'DELETE') {
      if (!row) throw notFound(table, segment);
      rowsOf(state, table).delete(row.id);
      state.version++;
      state.deleted.push({ entitySet: table.entitySet, id: row.id, version: state.version });
      return { status: 204 };
    }
    if (req.method !== 'PATCH') throw odataError(405, `The HTTP method '${req.method}' is not allowed on a ${table.logicalName} row.`);
    const ifMatch = single(req.headers['if-match']);
    const ifNoneMatch = single(req.headers['if-none-match']);
    if (row) {
      if (ifNoneMatch === '*') throw odataError(412, 'A record with matching key values already exists.');
      if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== `W/"${row.version}"`)
        throw odataError(412, "The version of the existing record doesn't match the RowVersion property provided.");
      const values = checkWrite(table, req.json, { mode: 'update', customPrefix, exists: exists(state), extraStatuses });
      applyState(table, row, values);
      Object.assign(row.values, values);
      touch(state, row);
      return written(table, row, req, 204);
    }
    if (ifMatch !== undefined) throw notFound(table, segment);
    // An upsert that finds nothing creates the row, with the id or key it was addressed by.
    const created = createRow(state, table, req.json, segment.id ? { id: segment.id } : { key: segment.key!.value });
    return written(table, created, req, 201);
  };

  /** A state change through PATCH keeps statecode and statuscode a valid pair. */
  const applyState = (table: TableDef, row: SimulatedRow, values: Record<string, unknown>) => {
    if (values.statecode !== undefined && values.statuscode === undefined)
      values.statuscode = statusesOf(table, values.statecode as number, extraStatuses)[0];
    if (values.statuscode !== undefined && values.statecode === undefined) {
      const state = stateOf(table, values.statuscode as number, extraStatuses);
      if (state !== row.values.statecode)
        throw odataError(
          400,
          `${values.statuscode} is not a valid status code for state code ${table.stateLabels[row.values.statecode as number]}`,
          '0x80040203',
        );
    }
  };

  const readMany = (req: RestRequest, state: DataverseSimulatorState, table: TableDef): RestResponse => {
    const prefer = preferences(req.headers.prefer);
    const select = selectOf(req);
    checkSelect(table, select);
    const filterText = single(req.query.$filter);
    let filter: Comparison[] | undefined;
    if (filterText !== undefined) {
      filter = parseFilter(filterText);
      if (!filter) throw odataError(400, `The query parameter $filter is not supported by this simulator: ${filterText.slice(0, 100)}`);
    }
    const orderText = single(req.query.$orderby);
    const order = orderText === undefined ? undefined : /^([a-z_0-9]+)(?:\s+(asc|desc))?$/i.exec(orderText.trim());
    if (orderText !== undefined && !order)
      throw odataError(400, `The query parameter $orderby is not supported by this simulator: ${orderText.slice(0, 100)}`);
    const topText = single(req.query.$top);
    if (topText !== undefined && !/^[0-9]{1,6}$/.test(topText)) throw odataError(400, 'The value of $top must be a whole number.');
    const deltaText = single(req.query.$deltatoken);
    let deltatoken: { version: number } | undefined;
    const tracking = prefer.has('odata.track-changes') || deltaText !== undefined;
    if (tracking && options.changeTracking === false)
      throw odataError(400, `Change tracking is not enabled for the entity '${table.logicalName}'.`);
    if (deltaText !== undefined) {
      const parsed = parseDeltaToken(deltaText);
      if (!parsed) throw odataError(400, 'The delta token is not valid.');
      if (parsed.version < state.deltaFloor || parsed.issuedAt < Date.now() - ttl)
        throw odataError(400, 'The delta token has expired. Start again without one.');
      deltatoken = { version: parsed.version };
    }
    const requested = Number(prefer.get('odata.maxpagesize') ?? maxPageSize);
    const pageSize = Number.isInteger(requested) && requested > 0 ? Math.min(requested, maxPageSize) : maxPageSize;
    // Links as Dataverse writes them: system query options keep their `$`, values are percent-encoded.
    const link = (extra: Record<string, string>) => {
      const params: Array<[string, string]> = select ? [['$select', select.join(',')]] : [];
      for (const name of ['$filter', '$orderby', '$top'] as const) {
        const value = single(req.query[name]);
        if (value !== undefined && extra.$deltatoken === undefined) params.push([name, value]);
      }
      params.push(...Object.entries(extra));
      return `${apiUrl()}/${table.entitySet}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/!/g, '%21')}`).join('&')}`;
    };
    const answer = readCollection({
      table,
      rows: rowsOf(state, table),
      deleted: state.deleted,
      version: state.version,
      select,
      filter,
      orderby: order ? { column: order[1]!, desc: order[2]?.toLowerCase() === 'desc' } : undefined,
      top: topText === undefined ? undefined : Number(topText),
      pageSize,
      formatted: prefer.has('odata.include-annotations'),
      link,
      context: `${apiUrl()}/$metadata#${table.entitySet}${select ? `(${select.join(',')})` : ''}`,
      ...(single(req.query.$skiptoken) !== undefined ? { skiptoken: single(req.query.$skiptoken)! } : {}),
      ...(deltatoken ? { deltatoken } : {}),
      trackChanges: tracking,
    });
    const applied = [
      ...(answer.tracking ? ['odata.track-changes'] : []),
      ...(prefer.has('odata.maxpagesize') ? [`odata.maxpagesize=${pageSize}`] : []),
    ];
    return reply(200, answer.body, applied.length ? { 'preference-applied': applied.join(',') } : undefined);
  };

  const closeIncident = (req: RestRequest, state: DataverseSimulatorState): RestResponse => {
    const body = req.json as { IncidentResolution?: Record<string, unknown>; Status?: unknown } | undefined;
    const resolution = body?.IncidentResolution;
    if (typeof resolution !== 'object' || resolution === null) throw odataError(400, "The parameter 'IncidentResolution' is required.");
    const target = parseResource(String(resolution['incidentid@odata.bind'] ?? '').replace(/^.*\/(?=incidents\()/, ''));
    if (!target?.id) throw odataError(400, "IncidentResolution must bind 'incidentid' to /incidents(<id>).");
    const incident = state.incidents.get(target.id);
    if (!incident) throw notFound(INCIDENT, target);
    const status = body?.Status;
    if (typeof status !== 'number' || stateOf(INCIDENT, status, extraStatuses) !== 1)
      throw odataError(400, `${String(status)} is not a valid status code for state code IncidentState.Resolved`, '0x80040203');
    if (incident.values.statecode !== 0)
      throw odataError(400, 'This case has already been resolved or canceled. Reactivate it first.', '0x80040203');
    const { 'incidentid@odata.bind': _bound, '@odata.type': _type, ...columns } = resolution;
    const values = checkWrite(INCIDENT_RESOLUTION, columns, { mode: 'create', customPrefix, exists: exists(state) });
    const note: SimulatedRow = {
      id: newRowId(),
      version: 0,
      values: { ...values, _incidentid_value: incident.id, createdon: isoSecond(Date.now()) },
    };
    touch(state, note);
    state.incidentresolutions.set(note.id, note);
    incident.values.statecode = 1;
    incident.values.statuscode = status;
    touch(state, incident);
    return { status: 204 };
  };

  const wrap =
    (fn: (req: RestRequest, state: DataverseSimulatorState) => Promise<RestResponse>) =>
    (req: RestRequest, ctx: { state: DataverseSimulatorState }) =>
      fn(req, ctx.state);
  const sim = await startRestSimulator<DataverseSimulatorState>({
    name: 'dataverse',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    state: seed,
    auth: (req) => {
      if (options.authorityOnSamePort && req.path.endsWith('/oauth2/v2.0/token')) return true;
      const header = single(req.headers.authorization) ?? '';
      const token = /^Bearer (.+)$/.exec(header)?.[1];
      if (token !== undefined && entra.accepts(token)) return true;
      // Dataverse answers a missing or expired token with 401 and a WWW-Authenticate challenge.
      return {
        status: 401,
        headers: {
          'www-authenticate': `Bearer error="invalid_token", authorization_uri="${entra.url}/${tenantId}/oauth2/authorize", resource_id="${baseUrl}"`,
        },
      };
    },
    routes: [
      ...(['GET', 'POST', 'PATCH', 'DELETE'] as const).map((method) => ({
        method,
        path: '/api/data/:version/:resource',
        handler: wrap(handle),
      })),
      ...(options.authorityOnSamePort
        ? [
            {
              method: 'POST' as const,
              path: '/:tenant/oauth2/v2.0/token',
              handler: (req: RestRequest) => entra.answer(req),
              changesState: false,
            },
          ]
        : []),
    ],
  });
  baseUrl = sim.url;
  // A saved state holds the requests in flight and the protection window of the server that saved it.
  sim.state.inflight = 0;
  sim.state.window = [];

  const incidentRow = (id: string): SimulatedRow => {
    const row = sim.state.incidents.get(id.toLowerCase());
    if (!row) throw new Error(`dataverse simulator: no incident ${id}`);
    return row;
  };
  const reset = sim.reset;
  const close = sim.close;

  return Object.assign(sim, {
    apiUrl: apiUrl(),
    authorityHost: options.authorityOnSamePort ? sim.url : entra.url,
    tenantId,
    clientId,
    clientSecret,
    keyColumn,
    entra,
    incident: (id: string) => ({ ...incidentRow(id).values, incidentid: incidentRow(id).id }),
    incidentByKey: (value: string) => {
      for (const row of sim.state.incidents.values()) if (row.values[keyColumn] === value) return { ...row.values, incidentid: row.id };
      return undefined;
    },
    contact: (id: string) => {
      const row = sim.state.contacts.get(id.toLowerCase());
      if (!row) throw new Error(`dataverse simulator: no contact ${id}`);
      return { ...row.values, contactid: row.id };
    },
    setStatus: (id: string, statecode: number, statuscode: number) => {
      if (!statusesOf(INCIDENT, statecode, extraStatuses).includes(statuscode))
        throw new Error(`dataverse simulator: ${statuscode} is not a status reason of state ${statecode}`);
      const row = incidentRow(id);
      Object.assign(row.values, { statecode, statuscode });
      touch(sim.state, row);
      void sim.saveState();
    },
    resolve: (id: string, status = 5) => {
      const row = incidentRow(id);
      if (stateOf(INCIDENT, status, extraStatuses) !== 1) throw new Error(`dataverse simulator: ${status} is not a Resolved status reason`);
      Object.assign(row.values, { statecode: 1, statuscode: status });
      touch(sim.state, row);
      void sim.saveState();
    },
    cancel: (id: string, status = 6) => {
      const row = incidentRow(id);
      Object.assign(row.values, { statecode: 2, statuscode: status });
      touch(sim.state, row);
      void sim.saveState();
    },
    updateIncident: (id: string, values: Record<string, unknown>) => {
      const row = incidentRow(id);
      Object.assign(row.values, values);
      touch(sim.state, row);
      void sim.saveState();
    },
    deleteIncident: (id: string) => {
      const row = incidentRow(id);
      sim.state.incidents.delete(row.id);
      sim.state.version++;
      sim.state.deleted.push({ entitySet: 'incidents', id: row.id, version: sim.state.version });
      void sim.saveState();
    },
    expireTokens: () => entra.expireTokens(),
    expireDeltaTokens: () => {
      // Tokens issued from here on carry a version at or above the floor; every earlier one is below it.
      sim.state.version++;
      sim.state.deltaFloor = sim.state.version;
    },
    setServiceProtection: (limits: Partial<ServiceProtection> | null) =>
      void (protection = limits === null ? null : { ...DEFAULT_PROTECTION, ...limits }),
    reset: () => {
      reset();
      entra.reset();
    },
    close: async () => {
      await close();
      await entra.close();
    },
  });
}

/**
 * The adapter configuration for a running simulator: its environment URL, authority host and
 * credentials, and its anonymous-callers account for cases without a contact.
 */
export function dataverseSimulatorConfig(sim: DataverseSimulator): DataverseConfig {
  return {
    url: sim.url,
    authorityHost: sim.authorityHost,
    tenantId: sim.tenantId,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    anonymousCustomer: { entitySet: 'accounts', id: DATAVERSE_SIMULATOR_ACCOUNT_ID },
  };
}
