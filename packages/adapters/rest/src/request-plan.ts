import { PermanentError, type MappingBindings, type MappingExpression, type ValidationIssue } from '@lgx/core';
import type { HttpRequest } from '@lgx/core/http';
import { compile, compileTemplate, type Template } from './expressions';
import type { CallName, RequestConfig } from './config';

/** One configured request, compiled: what `prepare` turns into an HTTP request for a given input. */
export interface RequestPlan {
  call: CallName;
  /** Config pointer of the request (e.g. /operations/street.report/submit). */
  path: string;
  method: RequestConfig['method'];
  pathTemplate: Template;
  query: MappingExpression | undefined;
  headers: Array<[string, Template]>;
  body: MappingExpression | undefined;
  bodyType: 'json' | 'form';
  response: MappingExpression | undefined;
}

type QueryValue = string | number | boolean | Array<string | number>;

const scalar = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';

/** An object of query or form values, checked; anything else is the mapping's mistake, named by its path. */
function fields(value: unknown, path: string, what: string): Record<string, QueryValue> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new PermanentError(`the mapping at ${path} must give an object of ${what} values`, { details: { mapping: path } });
  const out: Record<string, QueryValue> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (scalar(v)) out[key] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) out[key] = v as Array<string | number>;
    else
      throw new PermanentError(
        `the mapping at ${path} gave ${what} field '${key.slice(0, 100)}' a value that is not text, a number, true/false or a list of them`,
        { details: { mapping: path } },
      );
  }
  return out;
}

/** Compiles one request config, recording problems by config path. */
export function planRequest(call: CallName, config: RequestConfig, path: string, issues: ValidationIssue[]): RequestPlan | undefined {
  const before = issues.length;
  const pathTemplate = compileTemplate(config.path, `${path}/path`, issues);
  const query = config.query !== undefined ? compile(config.query, `${path}/query`, issues) : undefined;
  const headers: Array<[string, Template]> = [];
  for (const [name, source] of Object.entries(config.headers ?? {})) {
    const t = compileTemplate(source, `${path}/headers/${name}`, issues);
    if (t) headers.push([name.toLowerCase(), t]);
  }
  const body = config.body !== undefined ? compile(config.body, `${path}/body`, issues) : undefined;
  const response = config.response !== undefined ? compile(config.response, `${path}/response`, issues) : undefined;
  if ((config.method === 'GET' || config.method === 'DELETE') && config.body !== undefined) {
    issues.push({ path: `${path}/body`, rule: 'method', message: `is not sent with ${config.method}: put the values in query` });
  }
  if (issues.length > before || !pathTemplate) return undefined;
  return { call, path, method: config.method, pathTemplate, query, headers, body, bodyType: config.bodyType ?? 'json', response };
}

/** Header values must not smuggle in a line break (a second header or a body). */
function headerValue(value: string, path: string): string {
  if (/[\r\n\0]/.test(value))
    throw new PermanentError(`the header template at ${path} gave a value with a line break`, { details: { mapping: path } });
  return value;
}

/**
 * A path segment from data: percent-encoded. `.` and `..` are refused: URLs resolve them (even as
 * %2E%2E), so they would climb out of the configured path to another resource.
 */
function segmentOf(plan: RequestPlan): (value: string) => string {
  return (value) => {
    if (value === '.' || value === '..') {
      throw new PermanentError(
        `the path template at ${plan.pathTemplate.path} gave a placeholder the value '${value}', which cannot be a path segment`,
        { details: { mapping: plan.pathTemplate.path } },
      );
    }
    return encodeURIComponent(value);
  };
}

/** The HTTP request for `input`: path placeholders percent-encoded, query, headers and body mapped. */
export async function prepare(plan: RequestPlan, input: unknown, bindings: MappingBindings, signal: AbortSignal): Promise<HttpRequest> {
  // Relative to baseUrl: a path under the base keeps the base's own path (https://host/api/v2 + /x).
  const path = `.${await plan.pathTemplate.render(input, bindings, segmentOf(plan))}`;
  const request: HttpRequest = { method: plan.method, path, signal, responseType: 'text' };
  if (plan.query) request.query = fields(await plan.query.evaluate(input, bindings), plan.query.path, 'query');
  if (plan.headers.length) {
    request.headers = {};
    for (const [name, t] of plan.headers) request.headers[name] = headerValue(await t.render(input, bindings, (v) => v), t.path);
  }
  if (plan.body) {
    const body = await plan.body.evaluate(input, bindings);
    if (plan.bodyType === 'form') request.form = fields(body, plan.body.path, 'form');
    else if (body !== undefined) request.json = body;
  }
  return request;
}
