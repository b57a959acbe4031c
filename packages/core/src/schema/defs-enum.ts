import { bundledSchemas } from '../generated/schema-bundle';

/**
 * The values of an enum among the shared definitions (defs/v1.json), read from the schema itself so
 * code that lists or checks them never keeps a copy that could drift.
 */
export function defsEnum<T extends string>(name: string): readonly T[] {
  const defs = bundledSchemas.find((schema) => schema.$id === 'https://schemas.lgx.dev/defs/v1.json') as {
    $defs: Record<string, { enum?: T[] }>;
  };
  const values = defs.$defs[name]?.enum;
  if (!values) throw new TypeError(`defs/v1.json has no enum '${name}'`);
  return Object.freeze([...values]);
}
