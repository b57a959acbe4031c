/**
 * A simulator of the Salesforce REST API for Cases, built from Salesforce's published documentation
 * (developer.salesforce.com REST API Developer Guide: sObject Rows, sObject Rows by External ID and
 * dome_upsert, sObject Get Updated, sObject Collections retrieve, Composite, Limits, Query,
 * errorcodes.htm; the object reference for Case and CaseStatus; help.salesforce.com on the JWT bearer
 * and client credentials flows and API request limits).
 *
 * Two servers on 127.0.0.1, as in real life: the org's My Domain (the REST API, and its token endpoint
 * for the client credentials flow) and a login host (login.salesforce.com, JWT bearer only), whose
 * token answers carry the org's `instance_url`. It models: 201 create; upsert by external id (201
 * created, 200 or 204 updated, 300 when several records hold the value, `updateOnly`); the array
 * error body; 401 `INVALID_SESSION_ID` for an expired session; 403 `REQUEST_LIMIT_EXCEEDED` once the
 * daily API allocation (over a rolling 24 hours) is used, and `Sforce-Limit-Info` on every answer; getUpdated windows (seconds
 * ignored, start before end, at most 30 days back, `latestDateCovered`, `EXCEEDED_ID_LIMIT`);
 * composite requests with `@{ref.field}` references and `allOrNone`; sObject collections retrieve;
 * CaseStatus by SOQL; the testkit's fault injection.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  reply,
  startRestSimulator,
  SimulatorHttpError,
  type RestRequest,
  type RestResponse,
  type RestRoute,
  type RestSimulator,
} from '@lgx/testkit';
import type { SalesforceConfig } from '../config';
import { compositeHandler } from './composite';
import { publicKeyOf, tokenEndpoint, type OrgIdentity, type Sessions } from './salesforce-oauth';
import {
  checkSobjectWrite,
  DEFAULT_CASE_STATUSES,
  newId,
  sfDate,
  sfError,
  sobjectJson,
  unknownFields,
  type CaseStatusValue,
  type SfRecord,
} from './sobject-store';

export const SALESFORCE_SIMULATOR_CLIENT_ID = '3MVG9lgxSimulatorConsumerKey0000000000000000000000000000000000000';
export const SALESFORCE_SIMULATOR_CLIENT_SECRET = 'lgx-simulator-consumer-secret-0123456789ABCDEF';
export const SALESFORCE_SIMULATOR_USERNAME = 'lgx-integration@council.example';

export interface SalesforceSimulatorState {
  cases: Map<string, SfRecord>;
  contacts: Map<string, SfRecord>;
  caseNumber: number;
  /** API requests counted against the daily allocation, per hour (the hour's start, ms -> requests). */
  apiCalls: Record<string, number>;
}

const HOUR = 3_600_000;

export interface SalesforceSimulatorOptions {
  clientId?: string;
  clientSecret?: string;
  username?: string;
  /** The connected app's certificate key pair (PEM); a fresh RSA pair by default. */
  keyPair?: { privateKey: string; publicKey: string };
  /** How long a session lasts (default 2 hours, the org default). */
  sessionSeconds?: number;
  /** The daily API request allocation, counted over a rolling 24 hours (default 15000). */
  apiLimit?: number;
  /** Case external id fields (default ['LGX_Transaction_Id__c']). */
  externalIdFields?: string[];
  /** Contact external id fields, for relating a Case by one (default ['LGX_Contact_Ref__c']). */
  contactExternalIdFields?: string[];
  /** Other custom fields on Case (text). */
  customFields?: string[];
  statuses?: CaseStatusValue[];
  /** Contacts the org already holds. */
  contacts?: Array<{ Id?: string } & Record<string, unknown>>;
  /** What an upsert that updates answers: 200 with a body (current guides) or 204 (older ones). */
  upsertUpdateStatus?: 200 | 204;
  /**
   * Whether a getUpdated window counts records modified during its end minute (`inclusive`) or
   * stops at the start of that minute (`exclusive`). Salesforce's documentation says only that seconds
   * are ignored; default inclusive.
   */
  updatedEnd?: 'inclusive' | 'exclusive';
  /** Most ids a getUpdated window may hold before EXCEEDED_ID_LIMIT (default 600000). */
  maxUpdatedIds?: number;
  /** The org's clock (ms since the epoch), for SystemModstamp and the 30-day rule. */
  now?: () => number;
  port?: number;
  /** Address the org's My Domain listens on (default 127.0.0.1; the login host stays on 127.0.0.1). */
  host?: string;
  /** Folder to keep the org's records in (`salesforce.json`), so a restart continues the case numbers. Default: memory only. */
  stateDir?: string;
}

export interface SalesforceSimulator extends RestSimulator<SalesforceSimulatorState> {
  /** The org's My Domain: the instance_url, the REST API, and the client credentials token endpoint. */
  url: string;
  /** The login host (login.salesforce.com in real life) for the JWT bearer flow. */
  loginUrl: string;
  login: RestSimulator<Record<string, never>>;
  clientId: string;
  clientSecret: string;
  username: string;
  /** The connected app's private key (PEM), for a test's JWT bearer config. */
  privateKey: string;
  /** A copy of the case's fields with Id, or throws. */
  case(id: string): Record<string, unknown>;
  caseByExternalId(value: string, field?: string): Record<string, unknown> | undefined;
  /** Makes a case directly, as staff or another integration would (no API call counted). */
  insertCase(fields: Record<string, unknown>): string;
  /** Moves a case to a status, as staff do (IsClosed follows the status). */
  setCaseStatus(id: string, status: string): void;
  /** Changes other fields of a case. */
  updateCase(id: string, fields: Record<string, unknown>): void;
  /** Every session issued so far expires. */
  expireSessions(): void;
  /** Sets how much of the daily allocation is used. */
  setApiUsage(used: number): void;
  /** A long-running transaction began at this instant: getUpdated covers no later (null: none). */
  setLongRunningTransaction(startedAt: number | null): void;
  /** How many tokens the two token endpoints have issued since the last reset. */
  tokensIssued(): number;
}

const MINUTE = 60_000;
const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Starts the simulated org (My Domain and login host) on 127.0.0.1. */
export async function startSalesforceSimulator(options: SalesforceSimulatorOptions = {}): Promise<SalesforceSimulator> {
  const clientId = options.clientId ?? SALESFORCE_SIMULATOR_CLIENT_ID;
  const clientSecret = options.clientSecret ?? SALESFORCE_SIMULATOR_CLIENT_SECRET;
  const username = options.username ?? SALESFORCE_SIMULATOR_USERNAME;
  const keys =
    options.keyPair ??
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
  const now = options.now ?? Date.now;
  const apiLimit = options.apiLimit ?? 15_000;
  const externalIds = new Set(options.externalIdFields ?? ['LGX_Transaction_Id__c']);
  const contactExternalIds = new Set(options.contactExternalIdFields ?? ['LGX_Contact_Ref__c']);
  const caseCustom = new Set([...externalIds, ...(options.customFields ?? [])]);
  const contactCustom = new Set(contactExternalIds);
  const statuses = options.statuses ?? [...DEFAULT_CASE_STATUSES];
  const sessions: Sessions = new Map();
  let issued = 0;
  let longRunning: number | null = null;
  let instanceUrl = '';
  let loginUrl = '';
  const orgId = `00D${randomBytes(6).toString('hex').toUpperCase().slice(0, 12)}AAA`;
  const org: OrgIdentity = {
    clientId,
    clientSecret,
    username,
    publicKey: publicKeyOf(keys.publicKey),
    instanceUrl: () => instanceUrl,
    audiences: () => [loginUrl, instanceUrl, 'https://login.salesforce.com', 'https://test.salesforce.com'],
    orgId,
    userId: `005${randomBytes(6).toString('hex').toUpperCase().slice(0, 12)}AAA`,
  };
  const sessionMs = () => (options.sessionSeconds ?? 7200) * 1000;
  const counted = (endpoint: (req: RestRequest) => RestResponse) => (req: RestRequest) => {
    const out = endpoint(req);
    if (out.status === 200) issued++;
    return out;
  };

  // Salesforce counts the allocation over a rolling 24 hours: requests older than that stop counting
  // (here by the hour), so a simulator kept running or restarted from its state recovers as an org does.
  const apiUsed = (state: SalesforceSimulatorState): number => {
    state.apiCalls ??= {};
    let used = 0;
    for (const [hour, count] of Object.entries(state.apiCalls)) {
      if (Number(hour) + HOUR <= now() - 24 * HOUR) delete state.apiCalls[hour];
      else used += count;
    }
    return used;
  };
  const currentHour = (): string => String(Math.floor(now() / HOUR) * HOUR);

  const seed = (): SalesforceSimulatorState => {
    const state: SalesforceSimulatorState = { cases: new Map(), contacts: new Map(), caseNumber: 1000, apiCalls: {} };
    for (const { Id, ...fields } of options.contacts ?? []) {
      const id = Id ?? newId('Contact');
      state.contacts.set(id, { Id: id, fields, modstamp: now(), created: now() });
    }
    return state;
  };

  const statusOf = (name: unknown) => statuses.find((s) => s.ApiName === name);
  const defaultStatus = () => (statuses.find((s) => s.IsDefault) ?? statuses[0])!.ApiName;

  const fieldsParam = (req: RestRequest, object: 'Case' | 'Contact'): string[] | undefined => {
    const text = single(req.query.fields);
    if (text === undefined) return undefined;
    const fields = text
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    const unknown = unknownFields(object, fields, object === 'Case' ? caseCustom : contactCustom);
    if (unknown.length) throw sfError(400, 'INVALID_FIELD', `No such column '${unknown[0]}' on entity '${object}'.`);
    return fields;
  };

  const objectOf = (req: RestRequest): 'Case' | 'Contact' => {
    const object = req.params.object;
    if (object !== 'Case' && object !== 'Contact') throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return object;
  };

  const api = (state: SalesforceSimulatorState) => ({
    records: (object: 'Case' | 'Contact') => (object === 'Case' ? state.cases : state.contacts),
    write: (object: 'Case' | 'Contact', body: unknown) =>
      checkSobjectWrite(body, {
        object,
        customFields: object === 'Case' ? caseCustom : contactCustom,
        statuses,
        findContact: (id) => state.contacts.get(id),
        findContactByExternalId: (field, value) => [...state.contacts.values()].find((c) => c.fields[field] === value),
        contactExternalIdFields: contactExternalIds,
      }),
    create: (object: 'Case' | 'Contact', values: Record<string, unknown>): SfRecord => {
      const at = now();
      const record: SfRecord = { Id: newId(object), fields: { ...values }, modstamp: at, created: at };
      if (object === 'Case') {
        record.fields.Status ??= defaultStatus();
        record.fields.CaseNumber = String(++state.caseNumber).padStart(8, '0');
        record.fields.IsClosed = statusOf(record.fields.Status)?.IsClosed ?? false;
        state.cases.set(record.Id, record);
      } else state.contacts.set(record.Id, record);
      return record;
    },
    update: (record: SfRecord, values: Record<string, unknown>) => {
      Object.assign(record.fields, values);
      if (values.Status !== undefined) record.fields.IsClosed = statusOf(values.Status)?.IsClosed ?? false;
      // SystemModstamp only moves forward, even for two writes in the same millisecond.
      record.modstamp = Math.max(now(), record.modstamp + 1);
    },
  });

  const byExternalId = (state: SalesforceSimulatorState, object: 'Case' | 'Contact', field: string, value: string) => {
    const known = object === 'Case' ? externalIds : contactExternalIds;
    if (!known.has(field)) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return [...api(state).records(object).values()].filter((r) => r.fields[field] === value);
  };

  const routes: Array<RestRoute<SalesforceSimulatorState>> = [
    {
      method: 'GET',
      path: '/limits',
      handler: (_req, { state }) => reply(200, { DailyApiRequests: { Max: apiLimit, Remaining: Math.max(0, apiLimit - apiUsed(state)) } }),
    },
    {
      method: 'GET',
      path: '/query',
      handler: (req) => {
        const q = single(req.query.q) ?? '';
        const m = /^\s*SELECT\s+(.+?)\s+FROM\s+CaseStatus(?:\s+ORDER\s+BY\s+SortOrder(?:\s+ASC)?)?\s*$/i.exec(q);
        if (!m) throw sfError(400, 'MALFORMED_QUERY', 'The simulator answers SELECT ... FROM CaseStatus only.');
        const fields = m[1]!.split(',').map((f) => f.trim());
        const bad = fields.find((f) => !['Id', 'ApiName', 'MasterLabel', 'IsClosed', 'IsDefault', 'SortOrder'].includes(f));
        if (bad) throw sfError(400, 'INVALID_FIELD', `No such column '${bad}' on entity 'CaseStatus'.`);
        const records = [...statuses]
          .sort((a, b) => a.SortOrder - b.SortOrder)
          .map((s, i) => ({
            attributes: { type: 'CaseStatus', url: `/services/data/${req.params.version}/sobjects/CaseStatus/01J00000000000${i}AAA` },
            ...Object.fromEntries(fields.map((f) => [f, f === 'Id' ? `01J00000000000${i}AAA` : s[f as keyof CaseStatusValue]])),
          }));
        return reply(200, { totalSize: records.length, done: true, records });
      },
    },
    {
      method: 'POST',
      path: '/composite/sobjects/:object',
      handler: (req, { state }) => {
        const object = objectOf(req);
        const body = req.json as { ids?: unknown; fields?: unknown } | undefined;
        if (!Array.isArray(body?.ids) || !body.ids.every((id) => typeof id === 'string'))
          throw sfError(400, 'INVALID_FIELD', 'ids: a list of record ids is required');
        if (body.ids.length > 2000) throw sfError(400, 'LIMIT_EXCEEDED', 'Maximum number of records that can be retrieved is 2000');
        if (!Array.isArray(body.fields) || body.fields.length === 0)
          throw sfError(400, 'INVALID_FIELD', 'fields: a list of field names is required');
        const fields = body.fields.map(String);
        const unknown = unknownFields(object, fields, object === 'Case' ? caseCustom : contactCustom);
        if (unknown.length) throw sfError(400, 'INVALID_FIELD', `No such column '${unknown[0]}' on entity '${object}'.`);
        return reply(
          200,
          (body.ids as string[]).map((id) => {
            const record = api(state).records(object).get(id);
            return record ? sobjectJson(object, record, String(req.params.version), fields) : null;
          }),
        );
      },
    },
    {
      method: 'GET',
      path: '/sobjects/:object/updated/',
      handler: (req, { state }) => {
        const object = objectOf(req);
        const read = (name: 'start' | 'end') => {
          const text = single(req.query[name]);
          const ms = text === undefined ? NaN : Date.parse(text);
          if (Number.isNaN(ms))
            throw sfError(400, 'INVALID_REPLICATION_DATE', `${name}: a date-time (YYYY-MM-DDThh:mm:ss+hh:mm) is required`);
          return floorMinute(ms);
        };
        const start = read('start');
        const end = read('end');
        if (start >= end) throw sfError(400, 'INVALID_REPLICATION_DATE', 'startDate must chronologically precede endDate');
        if (start < floorMinute(now()) - 30 * 24 * 60 * MINUTE)
          throw sfError(400, 'INVALID_REPLICATION_DATE', 'startDate cannot be more than 30 days ago');
        const inclusive = (options.updatedEnd ?? 'inclusive') === 'inclusive';
        const ids = [...api(state).records(object).values()]
          .filter((r) => r.modstamp >= start && (inclusive ? floorMinute(r.modstamp) <= end : r.modstamp < end))
          .map((r) => r.Id);
        if (ids.length > (options.maxUpdatedIds ?? 600_000))
          throw sfError(400, 'EXCEEDED_ID_LIMIT', 'too many ids: choose start and end dates that are closer together');
        const covered = Math.min(end, longRunning === null ? end : floorMinute(longRunning));
        return reply(200, { ids, latestDateCovered: sfDate(covered) });
      },
    },
    {
      method: 'POST',
      path: '/sobjects/:object',
      handler: (req, { state }) => {
        const object = objectOf(req);
        const record = api(state).create(object, api(state).write(object, req.json));
        return reply(
          201,
          { id: record.Id, success: true, errors: [] },
          { location: `/services/data/${req.params.version}/sobjects/${object}/${record.Id}` },
        );
      },
    },
    {
      method: 'GET',
      path: '/sobjects/:object/:id',
      handler: (req, { state }) => {
        const object = objectOf(req);
        const record = api(state).records(object).get(String(req.params.id));
        if (!record) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
        return reply(200, sobjectJson(object, record, String(req.params.version), fieldsParam(req, object)));
      },
    },
    {
      method: 'PATCH',
      path: '/sobjects/:object/:id',
      handler: (req, { state }) => {
        const object = objectOf(req);
        const record = api(state).records(object).get(String(req.params.id));
        if (!record) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
        api(state).update(record, api(state).write(object, req.json));
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/sobjects/:object/:field/:value',
      handler: (req, { state }) => {
        const object = objectOf(req);
        const found = byExternalId(state, object, String(req.params.field), String(req.params.value));
        if (found.length === 0) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
        if (found.length > 1)
          return reply(
            300,
            found.map((r) => `/services/data/${req.params.version}/sobjects/${object}/${r.Id}`),
          );
        return reply(200, sobjectJson(object, found[0]!, String(req.params.version), fieldsParam(req, object)));
      },
    },
    {
      method: 'PATCH',
      path: '/sobjects/:object/:field/:value',
      handler: (req, { state }) => {
        const object = objectOf(req);
        const field = String(req.params.field);
        const value = String(req.params.value);
        const found = byExternalId(state, object, field, value);
        if (found.length > 1)
          return reply(
            300,
            found.map((r) => `/services/data/${req.params.version}/sobjects/${object}/${r.Id}`),
          );
        const values = api(state).write(object, req.json);
        if (found.length === 1) {
          api(state).update(found[0]!, values);
          return (options.upsertUpdateStatus ?? 200) === 204
            ? { status: 204 }
            : reply(200, { id: found[0]!.Id, success: true, errors: [], created: false });
        }
        const updateOnly = single(req.query.updateOnly) === 'true' && Number(String(req.params.version).slice(1)) >= 61;
        if (updateOnly) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
        const record = api(state).create(object, { ...values, [field]: value });
        return reply(
          201,
          { id: record.Id, success: true, errors: [], created: true },
          { location: `/services/data/${req.params.version}/sobjects/${object}/${record.Id}` },
        );
      },
    },
  ];

  const versionOk = (version: unknown) => typeof version === 'string' && /^v(3[1-9]|[4-6][0-9])\.0$/.test(version);
  const composite = compositeHandler(routes, { maxSubrequests: 25 });
  const withVersion = (route: RestRoute<SalesforceSimulatorState>): RestRoute<SalesforceSimulatorState> => ({
    method: route.method,
    path: `/services/data/:version${route.path}`,
    handler: async (req, ctx) => {
      if (!versionOk(req.params.version)) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      const out = await route.handler(req, ctx);
      return out;
    },
  });
  const oauth = (grants: string[], host: () => string) => ({
    method: 'POST' as const,
    path: '/services/oauth2/token',
    handler: counted(tokenEndpoint(org, sessions, sessionMs, host, new Set(grants), now)),
  });

  const sim: RestSimulator<SalesforceSimulatorState> = await startRestSimulator<SalesforceSimulatorState>({
    name: 'salesforce',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    state: seed,
    auth: (req): true | RestResponse => {
      if (!req.path.startsWith('/services/data/')) return true;
      const token = /^Bearer (.+)$/.exec(single(req.headers.authorization) ?? '')?.[1];
      if (token === undefined || (sessions.get(token) ?? 0) <= Date.now())
        return reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
      const state: SalesforceSimulatorState = sim.state;
      const used = apiUsed(state);
      if (used >= apiLimit)
        return reply(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], {
          'sforce-limit-info': `api-usage=${used}/${apiLimit}`,
        });
      const hour = currentHour();
      state.apiCalls[hour] = (state.apiCalls[hour] ?? 0) + 1;
      return true;
    },
    routes: [
      oauth(['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer'], () => instanceUrl),
      ...[...routes, { method: 'POST' as const, path: '/composite', handler: composite }].map(withVersion).map((route) => ({
        ...route,
        // Every API answer says how much of the daily allocation is used.
        handler: async (req: RestRequest, ctx: Parameters<typeof route.handler>[1]) => {
          const limit = { 'sforce-limit-info': `api-usage=${apiUsed(ctx.state)}/${apiLimit}` };
          try {
            const out = await route.handler(req, ctx);
            return { ...out, headers: { ...out.headers, ...limit } };
          } catch (error) {
            if (error instanceof SimulatorHttpError) throw new SimulatorHttpError(error.status, error.body, { ...error.headers, ...limit });
            throw error;
          }
        },
      })),
    ],
  });
  instanceUrl = sim.url;
  const login = await startRestSimulator<Record<string, never>>({
    name: 'salesforce-login',
    state: () => ({}),
    routes: [oauth(['urn:ietf:params:oauth:grant-type:jwt-bearer'], () => loginUrl)],
  });
  loginUrl = login.url;

  const caseRecord = (id: string) => {
    const record = sim.state.cases.get(id);
    if (!record) throw new Error(`salesforce simulator: no case ${id}`);
    return record;
  };
  const stateApi = () => api(sim.state);
  const reset = sim.reset;
  const close = sim.close;

  return Object.assign(sim, {
    loginUrl,
    login,
    clientId,
    clientSecret,
    username,
    privateKey: keys.privateKey,
    case: (id: string) => sobjectJson('Case', caseRecord(id), 'v61.0', undefined),
    caseByExternalId: (value: string, field = [...externalIds][0]!) => {
      const record = [...sim.state.cases.values()].find((r) => r.fields[field] === value);
      return record ? sobjectJson('Case', record, 'v61.0', undefined) : undefined;
    },
    insertCase: (fields: Record<string, unknown>) => {
      const id = stateApi().create('Case', fields).Id;
      void sim.saveState();
      return id;
    },
    setCaseStatus: (id: string, status: string) => {
      if (!statusOf(status)) throw new Error(`salesforce simulator: no case status ${status}`);
      stateApi().update(caseRecord(id), { Status: status });
      void sim.saveState();
    },
    updateCase: (id: string, fields: Record<string, unknown>) => {
      stateApi().update(caseRecord(id), fields);
      void sim.saveState();
    },
    expireSessions: () => sessions.clear(),
    setApiUsage: (used: number) => void (sim.state.apiCalls = { [currentHour()]: used }),
    setLongRunningTransaction: (startedAt: number | null) => void (longRunning = startedAt),
    tokensIssued: () => issued,
    reset: () => {
      reset();
      login.reset();
      sessions.clear();
      issued = 0;
      longRunning = null;
    },
    close: async () => {
      await close();
      await login.close();
    },
  });
}

/**
 * The adapter configuration for a running simulator: the JWT bearer flow through its login host with
 * the app's key (or client credentials against its My Domain), and the Contact external id field.
 */
export function salesforceSimulatorConfig(
  sim: SalesforceSimulator,
  flow: 'jwt-bearer' | 'client-credentials' = 'jwt-bearer',
): SalesforceConfig {
  const common = { clientId: sim.clientId, contactExternalIdField: 'LGX_Contact_Ref__c' };
  return flow === 'jwt-bearer'
    ? { flow, loginUrl: sim.loginUrl, username: sim.username, privateKey: sim.privateKey, ...common }
    : { flow, loginUrl: sim.url, clientSecret: sim.clientSecret, ...common };
}
