/**
 * The tables the Dataverse simulator keeps, described as Dataverse describes them (the `incident`,
 * `contact`, `account` and `incidentresolution` entity metadata in MicrosoftDocs
 * `dynamics-365-customer-engagement` `entities/*.md`): column types and lengths, option set values,
 * state and status reason pairs, lookups. Writes are checked the way the Web API checks them and answer
 * with its error envelope `{ "error": { "code", "message" } }`.
 */
import { randomUUID } from 'node:crypto';
import { SimulatorHttpError } from '@lgx/testkit';
import { parseResource } from './odata-request';

export type ColumnType = 'string' | 'option' | 'bool' | 'date' | 'datetime' | 'int' | 'guid';

export interface Column {
  type: ColumnType;
  /** Longest string value (string columns). */
  max?: number;
  /** Option set values (custom values, 100000000 and up, are also taken). */
  options?: readonly number[];
  /** Set by the platform: a write is refused. */
  readOnly?: boolean;
  /** Option labels, for FormattedValue annotations. */
  labels?: Readonly<Record<number, string>>;
}

export interface TableDef {
  logicalName: string;
  entitySet: string;
  primaryKey: string;
  columns: Readonly<Record<string, Column>>;
  /** Navigation property -> (entity sets it may point to, the lookup's `_x_value` column). */
  lookups: Readonly<Record<string, { targets: readonly string[]; column: string }>>;
  /** statecode -> allowed statuscodes (the first is the default). */
  states: Readonly<Record<number, readonly number[]>>;
  stateLabels: Readonly<Record<number, string>>;
  /** The customer lookup a row of this table cannot be created without (SystemRequired). */
  requiredLookup?: string;
}

export interface SimulatedRow {
  id: string;
  values: Record<string, unknown>;
  /** Row version: the change-tracking position of its last write. */
  version: number;
}

const STATUS_LABELS: Record<number, string> = {
  1: 'In Progress',
  2: 'On Hold',
  3: 'Waiting for Details',
  4: 'Researching',
  5: 'Problem Solved',
  1000: 'Information Provided',
  6: 'Canceled',
  2000: 'Merged',
};

const AUDIT: Record<string, Column> = {
  createdon: { type: 'datetime', readOnly: true },
  modifiedon: { type: 'datetime', readOnly: true },
  versionnumber: { type: 'int', readOnly: true },
};

/** The columns and states of a table with the platform's standard Active/Inactive pair (contact, account). */
const ACTIVE_INACTIVE_COLUMNS: Record<string, Column> = {
  statecode: { type: 'option', options: [0, 1] },
  statuscode: { type: 'option', options: [1, 2] },
  ...AUDIT,
};
const ACTIVE_INACTIVE: Pick<TableDef, 'lookups' | 'states' | 'stateLabels'> = {
  lookups: {},
  states: { 0: [1], 1: [2] },
  stateLabels: { 0: 'Active', 1: 'Inactive' },
};

export const INCIDENT: TableDef = {
  logicalName: 'incident',
  entitySet: 'incidents',
  primaryKey: 'incidentid',
  columns: {
    incidentid: { type: 'guid', readOnly: true },
    title: { type: 'string', max: 200 },
    description: { type: 'string', max: 2000 },
    ticketnumber: { type: 'string', max: 100, readOnly: true },
    caseorigincode: {
      type: 'option',
      options: [1, 2, 3, 2483, 3986],
      labels: { 1: 'Phone', 2: 'Email', 3: 'Web', 2483: 'Facebook', 3986: 'Twitter' },
    },
    casetypecode: { type: 'option', options: [1, 2, 3], labels: { 1: 'Question', 2: 'Problem', 3: 'Request' } },
    prioritycode: { type: 'option', options: [1, 2, 3], labels: { 1: 'High', 2: 'Normal', 3: 'Low' } },
    statecode: { type: 'option', options: [0, 1, 2], labels: { 0: 'Active', 1: 'Resolved', 2: 'Canceled' } },
    statuscode: { type: 'option', options: [1, 2, 3, 4, 5, 1000, 6, 2000], labels: STATUS_LABELS },
    _customerid_value: { type: 'guid', readOnly: true },
    ...AUDIT,
  },
  lookups: {
    customerid_contact: { targets: ['contacts'], column: '_customerid_value' },
    customerid_account: { targets: ['accounts'], column: '_customerid_value' },
  },
  states: { 0: [1, 2, 3, 4], 1: [5, 1000], 2: [6, 2000] },
  stateLabels: { 0: 'Active', 1: 'Resolved', 2: 'Canceled' },
  requiredLookup: '_customerid_value',
};

const ADDRESS = (n: 1 | 2): Record<string, Column> => ({
  [`address${n}_line1`]: { type: 'string', max: 250 },
  [`address${n}_line2`]: { type: 'string', max: 250 },
  [`address${n}_line3`]: { type: 'string', max: 250 },
  [`address${n}_city`]: { type: 'string', max: 80 },
  [`address${n}_postalcode`]: { type: 'string', max: 20 },
  [`address${n}_addresstypecode`]: { type: 'option', options: [1, 2, 3, 4] },
});

export const CONTACT: TableDef = {
  logicalName: 'contact',
  entitySet: 'contacts',
  primaryKey: 'contactid',
  columns: {
    contactid: { type: 'guid', readOnly: true },
    salutation: { type: 'string', max: 100 },
    firstname: { type: 'string', max: 50 },
    lastname: { type: 'string', max: 50 },
    fullname: { type: 'string', max: 160, readOnly: true },
    emailaddress1: { type: 'string', max: 100 },
    telephone1: { type: 'string', max: 50 },
    mobilephone: { type: 'string', max: 50 },
    birthdate: { type: 'date' },
    ...ADDRESS(1),
    ...ADDRESS(2),
    preferredcontactmethodcode: {
      type: 'option',
      options: [1, 2, 3, 4, 5],
      labels: { 1: 'Any', 2: 'Email', 3: 'Phone', 4: 'Fax', 5: 'Mail' },
    },
    donotemail: { type: 'bool' },
    donotbulkemail: { type: 'bool' },
    donotphone: { type: 'bool' },
    donotpostalmail: { type: 'bool' },
    ...ACTIVE_INACTIVE_COLUMNS,
  },
  ...ACTIVE_INACTIVE,
};

export const ACCOUNT: TableDef = {
  logicalName: 'account',
  entitySet: 'accounts',
  primaryKey: 'accountid',
  columns: {
    accountid: { type: 'guid', readOnly: true },
    name: { type: 'string', max: 160 },
    ...ACTIVE_INACTIVE_COLUMNS,
  },
  ...ACTIVE_INACTIVE,
};

export const INCIDENT_RESOLUTION: TableDef = {
  logicalName: 'incidentresolution',
  entitySet: 'incidentresolutions',
  primaryKey: 'activityid',
  columns: {
    activityid: { type: 'guid', readOnly: true },
    subject: { type: 'string', max: 200 },
    description: { type: 'string', max: 2000 },
    _incidentid_value: { type: 'guid', readOnly: true },
    ...AUDIT,
  },
  lookups: { incidentid: { targets: ['incidents'], column: '_incidentid_value' } },
  states: { 0: [1] },
  stateLabels: { 0: 'Open' },
};

/** The Web API's error answer. Codes are Dataverse's where the documentation gives them, else empty. */
export function odataError(status: number, message: string, code = '', headers: Record<string, string> = {}): SimulatorHttpError {
  return new SimulatorHttpError(status, { error: { code, message } }, { 'odata-version': '4.0', ...headers });
}

const CUSTOM_OPTION_FLOOR = 100_000_000;

/** Checks a body for a create or an update and returns the column values it sets. */
export function checkWrite(
  table: TableDef,
  body: unknown,
  options: {
    mode: 'create' | 'update';
    customPrefix: string;
    exists: (entitySet: string, id: string) => boolean;
    extraStatuses?: Readonly<Record<number, readonly number[]>>;
  },
): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw odataError(400, 'The request body is not a JSON object.');
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === '@odata.type') continue;
    const bind = /^([A-Za-z_][A-Za-z0-9_]*)@odata\.bind$/.exec(name);
    if (bind) {
      const lookup = table.lookups[bind[1]!];
      if (!lookup)
        throw odataError(
          400,
          `An undeclared property '${bind[1]}' which only has property annotations in the payload but no property value was found in the payload.`,
          '0x80060888',
        );
      const target = typeof value === 'string' ? parseResource(value.replace(/^.*\/(?=[A-Za-z_]+\()/, '').replace(/^\//, '')) : undefined;
      if (!target?.id || !lookup.targets.includes(target.name))
        throw odataError(400, `The value of '${name}' is not a reference to ${lookup.targets.join(' or ')}.`);
      if (!options.exists(target.name, target.id))
        throw odataError(404, `${target.name.replace(/s$/, '')} With Id = ${target.id} Does Not Exist`, '0x80040217');
      out[lookup.column] = target.id;
      continue;
    }
    const column = table.columns[name];
    if (!column) {
      if (
        name.startsWith(options.customPrefix) &&
        /^[a-z0-9_]+$/.test(name) &&
        (value === null || ['string', 'number', 'boolean'].includes(typeof value))
      ) {
        if (typeof value === 'string' && value.length > 4000)
          throw odataError(
            400,
            `A validation error occurred. The length of the '${name}' attribute of the '${table.logicalName}' entity exceeded the maximum allowed length of '4000'.`,
          );
        out[name] = value;
        continue;
      }
      throw odataError(
        400,
        `The property '${name}' does not exist on type 'Microsoft.Dynamics.CRM.${table.logicalName}'. Make sure to only use property names that are defined by the type.`,
        '0x80060888',
      );
    }
    if (column.readOnly)
      throw odataError(
        400,
        `The '${name}' attribute of the '${table.logicalName}' entity cannot be set: it is not valid for ${options.mode}.`,
      );
    if (value === null) {
      out[name] = null;
      continue;
    }
    const invalid = () => odataError(400, `Cannot convert the literal '${String(value).slice(0, 40)}' to the expected type of '${name}'.`);
    switch (column.type) {
      case 'string':
        if (typeof value !== 'string') throw invalid();
        if (value.length > (column.max ?? 4000)) {
          throw odataError(
            400,
            `A validation error occurred. The length of the '${name}' attribute of the '${table.logicalName}' entity exceeded the maximum allowed length of '${column.max}'.`,
          );
        }
        break;
      case 'option':
        if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid();
        if (name !== 'statuscode' && name !== 'statecode' && !column.options?.includes(value) && value < CUSTOM_OPTION_FLOOR) {
          throw odataError(
            400,
            `A validation error occurred. The value ${value} of '${name}' on record of type '${table.logicalName}' is outside the valid range.`,
          );
        }
        break;
      case 'bool':
        if (typeof value !== 'boolean') throw invalid();
        break;
      case 'date':
        if (typeof value !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) throw invalid();
        break;
      default:
        throw invalid();
    }
    out[name] = value;
  }
  checkState(table, out, options);
  return out;
}

function checkState(
  table: TableDef,
  out: Record<string, unknown>,
  options: { mode: 'create' | 'update'; extraStatuses?: Readonly<Record<number, readonly number[]>> },
): void {
  if (options.mode === 'create' && out.statecode !== undefined)
    throw odataError(400, `statecode is not valid for create on '${table.logicalName}': create the row, then change its state.`);
  if (out.statecode === undefined && out.statuscode === undefined) return;
  if (table === INCIDENT && out.statecode === 1) {
    throw odataError(
      400,
      'This message can not be used to set the state of incident to Resolved. In order to set state of incident to Resolved, use the CloseIncidentRequest message instead.',
      '0x80040203',
    );
  }
  if (out.statecode !== undefined && out.statuscode !== undefined) {
    const allowed = statusesOf(table, out.statecode as number, options.extraStatuses);
    if (!allowed.includes(out.statuscode as number))
      throw odataError(
        400,
        `${out.statuscode} is not a valid status code for state code ${table.logicalName}State.${
          table.stateLabels[out.statecode as number] ?? out.statecode
        }`,
        '0x80040203',
      );
  }
}

/** The status reasons of a state, the table's own and the extra ones a test configured. */
export function statusesOf(table: TableDef, state: number, extra?: Readonly<Record<number, readonly number[]>>): readonly number[] {
  return [...(table.states[state] ?? []), ...(extra?.[state] ?? [])];
}

/** The state a status reason belongs to. */
export function stateOf(table: TableDef, status: number, extra?: Readonly<Record<number, readonly number[]>>): number | undefined {
  for (const state of Object.keys(table.states).map(Number)) if (statusesOf(table, state, extra).includes(status)) return state;
  return undefined;
}

/** A row as the Web API returns it: `@odata.etag`, the selected columns, and labels when asked for. */
export function representation(
  table: TableDef,
  row: SimulatedRow,
  select: readonly string[] | undefined,
  formatted: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': `W/"${row.version}"` };
  const names = select ?? Object.keys(row.values);
  for (const name of names) {
    out[name] = row.values[name] ?? null;
    const label = table.columns[name]?.labels?.[row.values[name] as number];
    if (formatted && label !== undefined) out[`${name}@OData.Community.Display.V1.FormattedValue`] = label;
  }
  out[table.primaryKey] = row.id;
  return out;
}

/** Whether `$select` names only columns the table has (custom columns with the prefix included). */
export function unknownColumn(table: TableDef, select: readonly string[], customPrefix: string): string | undefined {
  return select.find((name) => !table.columns[name] && !name.startsWith(customPrefix));
}

export function newRowId(): string {
  return randomUUID();
}
