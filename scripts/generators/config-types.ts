import path from 'node:path';
import { CASE_STATUSES } from '@lgx/core';
import { stackSchema } from '../../packages/runtime/src/stack/stack-schema';
import { configSchema as alloySchema, ALLOY_TYPES, VALUE_FORMATS } from '../../packages/adapters/alloy/src/config';
import { configSchema as dataverseSchema } from '../../packages/adapters/dataverse/src/config';
import { configSchema as notifySchema } from '../../packages/adapters/govuk-notify/src/config';
import { configSchema as paySchema } from '../../packages/adapters/govuk-pay/src/config';
import { configSchema as open311Schema } from '../../packages/adapters/open311/src/config';
import { configSchema as restSchema, CALLS, RULE_CLASSIFICATIONS } from '../../packages/adapters/rest/src/config';
import { configSchema as salesforceSchema } from '../../packages/adapters/salesforce/src/config';
import { configSchema as soapSchema } from '../../packages/adapters/soap/src/config';
import { repoRoot, type Json } from './schema-files';
import { isObj, TypeWriter } from './type-writer';

/** A configuration schema written in TypeScript, and the types generated from it. */
interface ConfigTypes {
  /** The generated file, relative to the repository. */
  file: string;
  /** The module the schema is exported from, for the header. */
  source: string;
  schema: object;
  /** Type name of the whole configuration. */
  name: string;
  /** Subschemas (JSON pointers) declared as types of their own, in the order written. */
  parts?: Record<string, string>;
  /** Enum lists (by identity) written as a type imported from elsewhere, and the import. */
  enums?: Array<{ values: readonly unknown[]; type: string; from: string }>;
}

const caseStatus = { values: CASE_STATUSES, type: 'CaseStatus', from: '@lgx/core' };

/** Every configuration whose type is generated: the stack file and each adapter's config. */
export const CONFIG_TYPES: ConfigTypes[] = [
  {
    file: 'packages/runtime/src/generated/stack-config.ts',
    source: 'packages/runtime/src/stack/stack-schema.ts (stackSchema)',
    schema: stackSchema,
    name: 'StackConfig',
    parts: {
      '/$defs/adapter': 'StackAdapterConfig',
      '/$defs/route': 'StackRoute',
      '/$defs/route/properties/match': 'RouteMatch',
      '/$defs/route/properties/mode': 'RouteMode',
      '/$defs/route/properties/match/properties/data/additionalProperties': 'RouteDataValue',
      '/$defs/mapping': 'MappingSource',
      '/$defs/open311': 'Open311Config',
      '/$defs/open311Service': 'Open311Service',
      '/$defs/open311Attribute': 'Open311Attribute',
      '/$defs/reporting': 'ReportingConfig',
      '/$defs/quotas': 'QuotaConfig',
      '/$defs/encryption': 'EncryptionConfig',
      '/$defs/retention': 'RetentionConfig',
      '/$defs/retentionPeriod': 'RetentionPeriod',
      '/$defs/channelCosts': 'ChannelCosts',
    },
  },
  {
    file: 'packages/adapters/alloy/src/generated/config-types.ts',
    source: 'packages/adapters/alloy/src/config.ts (configSchema)',
    schema: alloySchema,
    name: 'AlloyConfig',
    parts: {
      '/properties/types/properties/street.report': 'AlloyTypeConfig',
      '/properties/types/properties/street.report/properties/attributes/additionalProperties': 'AttributeSource',
      '/properties/types/properties/street.report/properties/status': 'AlloyStatusConfig',
    },
    enums: [
      caseStatus,
      { values: VALUE_FORMATS, type: 'ValueFormat', from: '../config' },
      { values: ALLOY_TYPES, type: 'AlloyType', from: '../config' },
    ],
  },
  {
    file: 'packages/adapters/dataverse/src/generated/config-types.ts',
    source: 'packages/adapters/dataverse/src/config.ts (configSchema)',
    schema: dataverseSchema,
    name: 'DataverseConfig',
    parts: { '/properties/codes/properties/priority': 'CodeMap' },
    enums: [caseStatus],
  },
  {
    file: 'packages/adapters/govuk-notify/src/generated/config-types.ts',
    source: 'packages/adapters/govuk-notify/src/config.ts (configSchema)',
    schema: notifySchema,
    name: 'GovukNotifyConfig',
  },
  {
    file: 'packages/adapters/govuk-pay/src/generated/config-types.ts',
    source: 'packages/adapters/govuk-pay/src/config.ts (configSchema)',
    schema: paySchema,
    name: 'GovukPayConfig',
  },
  {
    file: 'packages/adapters/open311/src/generated/config-types.ts',
    source: 'packages/adapters/open311/src/config.ts (configSchema)',
    schema: open311Schema,
    name: 'Open311Config',
    parts: { '/properties/format': 'Open311Format' },
    enums: [caseStatus],
  },
  {
    file: 'packages/adapters/rest/src/generated/config-types.ts',
    source: 'packages/adapters/rest/src/config.ts (configSchema)',
    schema: restSchema,
    name: 'RestAdapterConfig',
    parts: {
      '/properties/operations/additionalProperties/properties/submit': 'SubmitConfig',
      '/properties/operations/additionalProperties/properties/submit/properties/idempotency': 'IdempotencyConfig',
      '/properties/auth': 'AuthConfig',
      '/properties/errorRules/items': 'ErrorRuleConfig',
    },
    enums: [
      caseStatus,
      { values: CALLS, type: 'CallName', from: '../config' },
      { values: RULE_CLASSIFICATIONS, type: 'RuleClassification', from: '../config' },
    ],
  },
  {
    file: 'packages/adapters/salesforce/src/generated/config-types.ts',
    source: 'packages/adapters/salesforce/src/config.ts (configSchema)',
    schema: salesforceSchema,
    name: 'SalesforceConfig',
    parts: { '/properties/values/properties/priority': 'ValueMap' },
    enums: [caseStatus],
  },
  {
    file: 'packages/adapters/soap/src/generated/config-types.ts',
    source: 'packages/adapters/soap/src/config.ts (configSchema)',
    schema: soapSchema,
    name: 'SoapAdapterConfig',
    parts: {
      '/properties/status': 'SoapCallConfig',
      '/properties/auth': 'SoapAuthConfig',
      '/properties/auth/else/properties/apply': 'SessionApply',
      '/properties/faultRules/items': 'FaultRuleConfig',
    },
    enums: [caseStatus],
  },
];

/** The subschema at a JSON pointer (`/properties/a~1b` style), or an error naming the pointer. */
function at(schema: object, pointer: string): Json {
  let node: unknown = schema;
  for (const token of pointer.split('/').slice(1)) {
    node = isObj(node) ? node[token.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  if (!isObj(node)) throw new Error(`no subschema at ${pointer}`);
  return node;
}

/** The file of one configuration's types. */
export function generateConfigTypes(config: ConfigTypes): string {
  const parts = Object.entries(config.parts ?? {}).map(([pointer, name]) => ({ pointer, name, schema: at(config.schema, pointer) }));
  const named = new Map<object, string>(parts.map((p) => [p.schema, p.name]));
  const enums = new Map<object, string>((config.enums ?? []).map((e) => [e.values, e.type]));
  const refName = (ref: string): string => {
    const name = ref.startsWith('#') ? named.get(at(config.schema, ref.slice(1))) : undefined;
    if (!name) throw new Error(`${config.source}: give $ref '${ref}' a type name (parts)`);
    return name;
  };
  const writer = new TypeWriter(refName, { named, enums, requiredBranches: true });
  const root = config.schema as Json;
  const body = [
    writer.declaration({ name: config.name, schema: root, base: '', doc: String(root.title ?? '') }),
    ...parts.map((p) => writer.declaration({ name: p.name, schema: p.schema, base: '', doc: '' })),
  ].join('\n');
  const imports = new Map<string, string[]>();
  for (const e of config.enums ?? []) {
    if (new RegExp(`\\b${e.type}\\b`).test(body)) imports.set(e.from, [...(imports.get(e.from) ?? []), e.type]);
  }
  const header = [
    `// Generated by \`npm run generate\` from ${config.source}. Do not edit: change the schema and regenerate.`,
    ...[...imports].map(([from, types]) => `import type { ${types.join(', ')} } from '${from}';`),
  ];
  return `${header.join('\n')}\n\n${body}`;
}

/** Every generated configuration types file: absolute path -> content. */
export function configTypeOutputs(): Array<[string, string]> {
  return CONFIG_TYPES.map((config) => [path.join(repoRoot, config.file), generateConfigTypes(config)]);
}
