import { readFile } from 'node:fs/promises';
import { LgxValidationError, type ValidationIssue } from '@lgx/core';
import { parse as parseYaml } from 'yaml';
import type { RequestPlan } from './request-plan';

/** An OpenAPI document larger than this is refused unread. */
const MAX_BYTES = 10 * 1024 * 1024;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The operations an OpenAPI document defines: path shape (`{}` for each parameter) -> methods. */
export type OpenApiOperations = Map<string, { path: string; methods: Set<string> }>;

function refuse(issues: ValidationIssue[]): LgxValidationError {
  return new LgxValidationError(issues, { subject: "adapter 'rest' OpenAPI check", code: 'LGX_ERR_ADAPTER_OPENAPI_MISMATCH' });
}

/** `/requests/{id}.json` -> `/requests/{}.json`: the shape paths and templates are compared by. */
export function shapeOf(path: string): string {
  return path.replace(/\{[^}]*\}/g, '{}');
}

/** Reads the document (a file, or an http(s) URL through `fetchText`), JSON or YAML. */
async function load(source: string, fetchText: (url: string) => Promise<string>): Promise<unknown> {
  let text: string;
  try {
    text = /^https?:\/\//i.test(source) ? await fetchText(source) : await readFile(source, 'utf8');
  } catch (error) {
    const reason = (error as { code?: string }).code ?? (error as Error).message?.slice(0, 200) ?? 'unreadable';
    throw refuse([{ path: '/openapi', rule: 'openapi', message: `could not be read (${reason})` }]);
  }
  if (text.length > MAX_BYTES) throw refuse([{ path: '/openapi', rule: 'openapi', message: `is larger than ${MAX_BYTES} bytes` }]);
  try {
    return /^\s*\{/.test(text) ? (JSON.parse(text) as unknown) : (parseYaml(text, { maxAliasCount: 100 }) as unknown);
  } catch {
    throw refuse([{ path: '/openapi', rule: 'openapi', message: 'is neither JSON nor YAML that parses' }]);
  }
}

/** The operations of an OpenAPI 3 document, or a coded error saying why it is not one. */
export async function readOpenApi(source: string, fetchText: (url: string) => Promise<string>): Promise<OpenApiOperations> {
  const doc = (await load(source, fetchText)) as { openapi?: unknown; paths?: unknown } | null;
  if (typeof doc !== 'object' || doc === null || typeof doc.openapi !== 'string' || !/^3\./.test(doc.openapi)) {
    throw refuse([{ path: '/openapi', rule: 'openapi', message: 'is not an OpenAPI 3 document (no "openapi": "3.x" field)' }]);
  }
  if (typeof doc.paths !== 'object' || doc.paths === null || Array.isArray(doc.paths))
    throw refuse([{ path: '/openapi', rule: 'openapi', message: 'has no paths object' }]);
  const operations: OpenApiOperations = new Map();
  for (const [path, item] of Object.entries(doc.paths as Record<string, unknown>)) {
    if (typeof item !== 'object' || item === null) continue;
    const methods = new Set(METHODS.filter((m) => Object.prototype.hasOwnProperty.call(item, m)).map((m) => m.toUpperCase()));
    operations.set(shapeOf(path), { path, methods });
  }
  return operations;
}

/**
 * Refuses, naming each by its config path, every configured request whose method and path the
 * document does not define (LGX_ERR_ADAPTER_OPENAPI_MISMATCH). Paths are compared with their
 * parameters as placeholders: `/requests/{externalRef}` matches `/requests/{requestId}`.
 */
export function checkAgainstOpenApi(plans: readonly RequestPlan[], operations: OpenApiOperations): void {
  const issues: ValidationIssue[] = [];
  const known = [...operations.values()]
    .map((o) => o.path)
    .slice(0, 20)
    .join(', ');
  for (const plan of plans) {
    const shape = plan.pathTemplate.shape.split('?')[0]!;
    const operation = operations.get(shapeOf(shape));
    if (!operation) {
      issues.push({
        path: `${plan.path}/path`,
        rule: 'openapi',
        message: `${plan.method} ${shape} is not a path of the OpenAPI document (it has: ${known})`,
      });
    } else if (!operation.methods.has(plan.method)) {
      issues.push({
        path: `${plan.path}/method`,
        rule: 'openapi',
        message: `${plan.method} is not an operation of ${operation.path} in the OpenAPI document (it has: ${[...operation.methods].join(', ')})`,
      });
    }
  }
  if (issues.length) throw refuse(issues);
}
