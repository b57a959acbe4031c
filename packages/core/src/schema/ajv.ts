// ajv is CommonJS: imported by name, its class is the same in both module systems, and so is the type
// in both declaration builds (a default import is the module object in an ES module's types).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from '../types';

// ajv-formats is CommonJS with a default export; normalise for both module systems.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule;

export type AjvInstance = Ajv2020;

/** LGX annotation keywords: data only, they never change what validates. */
export const ANNOTATION_KEYWORDS = ['x-lgx-kind', 'x-lgx-lgsl', 'x-lgx-lgil', 'x-lgx-result', 'x-lgx-deprecated'] as const;
/** LGX marking keywords: what redaction masks. */
export const MARK_KEYWORDS = ['x-lgx-pii', 'x-lgx-secret'] as const;

/** The ajv options every LGX validator uses (the benchmark builds its raw baseline with the same). */
export const AJV_OPTIONS = { strict: true, allErrors: true, strictRequired: false, allowUnionTypes: false, verbose: true } as const;

/** A strict 2020-12 ajv instance that knows LGX's keywords and the standard formats. */
export function createAjv(schemas: readonly JsonSchema[] = []): AjvInstance {
  const ajv = new Ajv2020({ ...AJV_OPTIONS });
  addFormats(ajv);
  for (const keyword of MARK_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'boolean' });
  for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword });
  for (const schema of schemas) ajv.addSchema(schema);
  return ajv;
}
