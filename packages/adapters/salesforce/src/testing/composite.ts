/**
 * The Composite resource (`POST /services/data/vXX.X/composite`, developer.salesforce.com
 * resources_composite_composite_post.htm): up to 25 subrequests run in order in one API call; a later
 * subrequest refers to an earlier answer as `@{referenceId.field}` in its URL or body; with
 * `allOrNone` a failure rolls every change back. The answer is always 200, with each subrequest's
 * status, headers and body.
 */
import { reply, SimulatorHttpError, type RestContext, type RestRequest, type RestResponse, type RestRoute } from '@lgx/testkit';
import { sfError } from './sobject-store';

interface SubAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

const HALTED = [
  { errorCode: 'PROCESSING_HALTED', message: 'The transaction was rolled back since another operation in the same transaction failed.' },
];

function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const actual = decodeURIComponent(got[i]!);
    if (segment.startsWith(':')) {
      if (actual === '') return undefined;
      params[segment.slice(1)] = actual;
    } else if (segment !== actual) return undefined;
  }
  return params;
}

/** The value at `path` (`id`, `records[0].Id`) in an earlier answer's body. */
function pick(body: unknown, path: string): unknown {
  let node = body;
  for (const part of path.match(/[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
    if (node === null || typeof node !== 'object') return undefined;
    node = part.startsWith('[') ? (node as unknown[])[Number(part.slice(1, -1))] : (node as Record<string, unknown>)[part];
  }
  return node;
}

class BadReference extends Error {}

function resolve(text: string, answers: ReadonlyMap<string, SubAnswer>): string {
  return text.replace(/@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g, (_all, ref: string, path: string) => {
    const answer = answers.get(ref);
    const value = answer && answer.status < 400 ? pick(answer.body, path.replace(/^\./, '')) : undefined;
    if (value === undefined || value === null || typeof value === 'object')
      throw new BadReference(`Invalid reference specified. No value for ${ref}${path} found in ${ref}.`);
    return String(value);
  });
}

function resolveBody(value: unknown, answers: ReadonlyMap<string, SubAnswer>): unknown {
  if (typeof value === 'string') return resolve(value, answers);
  if (Array.isArray(value)) return value.map((v) => resolveBody(v, answers));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveBody(v, answers)]));
  return value;
}

/** A composite handler that runs subrequests against the same routes as the API. */
export function compositeHandler<State>(routes: ReadonlyArray<RestRoute<State>>, options: { maxSubrequests: number }) {
  const run = async (
    sub: { method: string; url: string; body?: unknown },
    version: string,
    ctx: RestContext<State>,
  ): Promise<SubAnswer> => {
    const m = /^\/services\/data\/(v[0-9]+\.[0-9])(\/[^?]*)(?:\?(.*))?$/.exec(sub.url);
    if (!m || m[1] !== version)
      return { status: 400, body: [{ errorCode: 'INVALID_URL', message: `url must start with /services/data/${version}/` }], headers: {} };
    const route = routes.map((r) => ({ r, params: r.method === sub.method ? match(r.path, m[2]!) : undefined })).find((x) => x.params);
    if (!route) return { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }], headers: {} };
    const query: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(m[3] ?? '')) query[k] = v;
    const request: RestRequest = {
      method: sub.method,
      path: m[2]!,
      params: { ...route.params, version },
      query,
      headers: {},
      body: sub.body === undefined ? '' : JSON.stringify(sub.body),
      json: sub.body,
    };
    try {
      const out: RestResponse = await route.r.handler(request, ctx);
      return { status: out.status, body: out.body ?? null, headers: out.headers ?? {} };
    } catch (error) {
      if (error instanceof SimulatorHttpError) return { status: error.status, body: error.body ?? null, headers: {} };
      throw error;
    }
  };

  return async (req: RestRequest, ctx: RestContext<State>): Promise<RestResponse> => {
    const body = req.json as { allOrNone?: unknown; compositeRequest?: unknown } | undefined;
    const subs = body?.compositeRequest;
    if (!Array.isArray(subs) || subs.length === 0)
      throw sfError(400, 'JSON_PARSER_ERROR', 'compositeRequest: a list of subrequests is required');
    if (subs.length > options.maxSubrequests)
      throw sfError(400, 'LIMIT_EXCEEDED', `A composite request can have at most ${options.maxSubrequests} subrequests`);
    const ids = new Set<string>();
    for (const sub of subs as Array<Record<string, unknown>>) {
      if (typeof sub?.referenceId !== 'string' || !/^[A-Za-z0-9_]+$/.test(sub.referenceId) || ids.has(sub.referenceId))
        throw sfError(400, 'INVALID_FIELD', 'each subrequest needs a unique referenceId of letters, digits and underscores');
      if (!['GET', 'POST', 'PATCH', 'DELETE'].includes(String(sub.method)) || typeof sub.url !== 'string')
        throw sfError(400, 'INVALID_FIELD', 'each subrequest needs a method and a url');
      ids.add(sub.referenceId);
    }
    const allOrNone = body?.allOrNone === true;
    const before = allOrNone ? structuredClone(ctx.state) : undefined;
    const answers = new Map<string, SubAnswer>();
    const out: Array<{ referenceId: string; answer: SubAnswer }> = [];
    let failed = false;
    for (const sub of subs as Array<{ method: string; url: string; referenceId: string; body?: unknown }>) {
      let answer: SubAnswer;
      if (failed && allOrNone) answer = { status: 400, body: HALTED, headers: {} };
      else {
        try {
          const url = resolve(sub.url, answers);
          answer = await run(
            { method: sub.method, url, ...(sub.body !== undefined ? { body: resolveBody(sub.body, answers) } : {}) },
            String(req.params.version),
            ctx,
          );
        } catch (error) {
          if (!(error instanceof BadReference)) throw error;
          answer = { status: 400, body: [{ errorCode: 'PROCESSING_HALTED', message: error.message }], headers: {} };
        }
      }
      if (answer.status >= 400) failed = true;
      answers.set(sub.referenceId, answer);
      out.push({ referenceId: sub.referenceId, answer });
    }
    if (failed && before) {
      Object.assign(ctx.state as object, before);
      for (const entry of out) if (entry.answer.status < 400) entry.answer = { status: 400, body: HALTED, headers: {} };
    }
    return reply(200, {
      compositeResponse: out.map(({ referenceId, answer }) => ({
        body: answer.body,
        httpHeaders: answer.headers,
        httpStatusCode: answer.status,
        referenceId,
      })),
    });
  };
}
