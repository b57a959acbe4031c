import { LgxValidationError, type CaseStatus, type ValidationIssue } from '@lgx/core';
import type { AlloyConfig, AlloyType, AlloyTypeConfig, AttributeSource, ValueFormat } from './config';

/** The attribute Alloy keeps an item's geometry in, unless the council's design says otherwise. */
export const GEOMETRY_ATTRIBUTE = 'attributes_itemsGeometry';

/** One attribute to fill, checked and ready to evaluate against a transaction. */
export interface SourcePlan {
  attributeCode: string;
  /** Config pointer of this source, named in every message about it. */
  path: string;
  /** Parsed JSON pointers (segments), tried in order; undefined for a constant. */
  pointers: string[][] | undefined;
  constant: unknown;
  format: ValueFormat;
  map: Readonly<Record<string, string | number | boolean>> | undefined;
  table: string | undefined;
  required: boolean;
  maxLength: number | undefined;
}

export interface StatusPlan {
  attributeCode: string;
  map: Readonly<Record<string, CaseStatus>>;
  unmapped: CaseStatus | undefined;
  noteAttributeCode: string | undefined;
}

/** How one canonical type becomes items of one design, compiled once when the adapter is created. */
export interface TypePlan {
  type: AlloyType;
  path: string;
  designCode: string;
  collectionCode: string;
  transactionIdAttribute: string;
  sources: SourcePlan[];
  geometry: { attributeCode: string; required: boolean } | undefined;
  parents: Readonly<Record<string, string[]>> | undefined;
  attachmentsAttribute: string | undefined;
  status: StatusPlan;
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** `/data/location/usrn` -> ['data', 'location', 'usrn']. */
export function parsePointer(pointer: string): string[] {
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function planSource(
  code: string,
  source: AttributeSource,
  at: string,
  mappings: Readonly<Record<string, unknown>>,
  issues: ValidationIssue[],
): SourcePlan {
  const format = source.format ?? ('value' in source ? 'json' : 'text');
  const fromSource = 'from' in source ? source : undefined;
  if (fromSource?.table !== undefined && !Object.prototype.hasOwnProperty.call(mappings, fromSource.table)) {
    issues.push({
      path: `${at}/table`,
      rule: 'mappingTable',
      message: `names the mapping table '${fromSource.table}', which the stack does not define`,
    });
  }
  if (format === 'link' && fromSource?.map) {
    for (const [key, value] of Object.entries(fromSource.map)) {
      if (typeof value !== 'string')
        issues.push({
          path: `${at}/map/${escapePointer(key)}`,
          rule: 'linkValue',
          message: 'must be an item id (a string): link attributes hold item ids',
        });
    }
  }
  if (source.maxLength !== undefined && format !== 'text' && format !== 'addressText' && format !== 'personName') {
    issues.push({ path: `${at}/maxLength`, rule: 'format', message: `only applies to text formats, not ${format}` });
  }
  const from = fromSource?.from;
  const froms = from === undefined ? undefined : Array.isArray(from) ? from : [from];
  return {
    attributeCode: code,
    path: at,
    pointers: froms?.map(parsePointer),
    constant: 'value' in source ? source.value : undefined,
    format,
    map: fromSource?.map,
    table: fromSource?.table,
    required: source.required === true,
    maxLength: source.maxLength,
  };
}

function planType(
  type: AlloyType,
  config: AlloyTypeConfig,
  mappings: Readonly<Record<string, unknown>>,
  issues: ValidationIssue[],
): TypePlan {
  const at = `/types/${escapePointer(type)}`;
  const taken = new Map<string, string>();
  const claim = (code: string, where: string) => {
    const first = taken.get(code);
    if (first !== undefined)
      issues.push({
        path: where,
        rule: 'attributeOnce',
        message: `sets ${code}, which ${first} already sets: each attribute is written once`,
      });
    else taken.set(code, where);
  };
  claim(config.transactionIdAttribute, `${at}/transactionIdAttribute`);
  const geometryEnabled = config.geometry?.enabled !== false;
  const geometryCode = config.geometry?.attributeCode ?? GEOMETRY_ATTRIBUTE;
  if (geometryEnabled) claim(geometryCode, `${at}/geometry`);
  if (!geometryEnabled && config.geometry?.required === true)
    issues.push({
      path: `${at}/geometry/required`,
      rule: 'geometry',
      message: 'cannot require a geometry that is not sent (enabled is false)',
    });
  if (config.attachments) claim(config.attachments.attributeCode, `${at}/attachments/attributeCode`);
  for (const code of Object.keys(config.parents ?? {})) claim(code, `${at}/parents/${escapePointer(code)}`);
  const sources = Object.entries(config.attributes).map(([code, source]) => {
    const where = `${at}/attributes/${escapePointer(code)}`;
    claim(code, where);
    return planSource(code, source, where, mappings, issues);
  });
  return {
    type,
    path: at,
    designCode: config.designCode,
    collectionCode: config.collectionCode ?? 'Live',
    transactionIdAttribute: config.transactionIdAttribute,
    sources,
    geometry: geometryEnabled ? { attributeCode: geometryCode, required: config.geometry?.required === true } : undefined,
    parents: config.parents,
    attachmentsAttribute: config.attachments?.attributeCode,
    status: {
      attributeCode: config.status.attributeCode,
      map: config.status.map,
      unmapped: config.status.unmapped,
      noteAttributeCode: config.status.noteAttributeCode,
    },
  };
}

/**
 * Checks what the JSON Schema cannot (mapping tables the stack must define, an attribute written
 * twice, settings that contradict each other) and compiles each type's plan. Throws
 * LGX_ERR_ADAPTER_CONFIG_INVALID listing every problem by config path.
 */
export function planTypes(config: AlloyConfig, mappings: Readonly<Record<string, unknown>>): Map<AlloyType, TypePlan> {
  const issues: ValidationIssue[] = [];
  const plans = new Map<AlloyType, TypePlan>();
  for (const [type, entry] of Object.entries(config.types) as Array<[AlloyType, AlloyTypeConfig | undefined]>) {
    if (entry) plans.set(type, planType(type, entry, mappings, issues));
  }
  if (issues.length) throw new LgxValidationError(issues, { subject: "adapter 'alloy' config", code: 'LGX_ERR_ADAPTER_CONFIG_INVALID' });
  return plans;
}
