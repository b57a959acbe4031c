/**
 * The parts of the Alloy API (v2) this adapter reads and writes, as public integrations use them
 * (mysociety/open311-adapter `perllib/Integrations/AlloyV2.pm` and its test fixtures). Only what the
 * adapter uses is typed.
 */

/** One attribute of an item: `{attributeCode, value}`; link attributes hold lists of item ids. */
export interface AlloyAttribute {
  attributeCode: string;
  value: unknown;
}

/** An item, as `POST item`, `GET item/{id}` and AQS queries answer with it (inside `{item}` for the first two). */
export interface AlloyItem {
  itemId: string;
  designCode?: string;
  collection?: string;
  attributes?: AlloyAttribute[];
  /** Changes with every edit; `PUT item/{id}` must send the current one. */
  signature?: string;
  /** Not in the documented results (open311-adapter reads the item log for it); used when present. */
  lastEditDate?: string;
}

/** `POST item` and `PUT item/{id}` bodies. */
export interface AlloyItemWrite {
  designCode?: string;
  collectionCode?: string;
  attributes: AlloyAttribute[];
  parents?: Record<string, string[]>;
  signature?: string;
}

/** `GET item-log/item/{id}` entries. */
export interface AlloyItemLogEntry {
  itemId?: string;
  action?: string;
  date?: string;
}

/** An AQS node: `{type, properties?, children?}`. */
export interface AqsNode {
  type: string;
  properties?: Record<string, unknown>;
  children?: AqsNode[];
}

/** The error body Alloy answers with (`errorCode`, `errorCodeString`, `debugErrorMessage`). */
export interface AlloyErrorBody {
  errorCode?: number | string;
  errorCodeString?: string;
  debugErrorMessage?: string;
}

/** Alloy's name for a stale `signature` on `PUT item/{id}`. */
export const SIGNATURE_MISMATCH = 'ItemSignatureMismatch';

/**
 * The vendor code of an Alloy error body: `errorCodeString` (e.g. ItemSignatureMismatch), else the
 * numeric `errorCode`. Undefined for anything else.
 */
export function alloyErrorCode(body: unknown): string | undefined {
  const b = body as AlloyErrorBody | null;
  if (typeof b !== 'object' || b === null) return undefined;
  if (typeof b.errorCodeString === 'string' && /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/.test(b.errorCodeString)) return b.errorCodeString;
  if (typeof b.errorCode === 'number' && Number.isInteger(b.errorCode)) return String(b.errorCode);
  if (typeof b.errorCode === 'string' && /^[A-Za-z0-9_.-]{1,100}$/.test(b.errorCode)) return b.errorCode;
  return undefined;
}

/** The value of one attribute of an item, or undefined. */
export function attributeValue(item: AlloyItem, code: string): unknown {
  return item.attributes?.find((a) => a?.attributeCode === code)?.value;
}
