/** The base of every LGX schema `$id`. */
export const SCHEMA_BASE = 'https://schemas.lgx.dev/';

const ID_PATTERN = /^https:\/\/schemas\.lgx\.dev\/([A-Za-z][A-Za-z0-9.-]*)\/v([1-9][0-9]*)(\.result)?\.json$/;

/** The `$id` of a type's schema at a major version. */
export function schemaId(type: string, major: number, result = false): string {
  return `${SCHEMA_BASE}${type}/v${major}${result ? '.result' : ''}.json`;
}

/** Splits an LGX `$id` into type, major version and whether it is a query result; undefined if not one. */
export function parseSchemaId(id: string): { type: string; major: number; result: boolean } | undefined {
  const m = ID_PATTERN.exec(id);
  if (!m) return undefined;
  return { type: m[1] as string, major: Number(m[2]), result: m[3] !== undefined };
}
