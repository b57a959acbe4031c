import type http from 'node:http';
import { sendJson, startSimulatorServer, type RecordedRequest, type Simulator, type SimulatorServerOptions } from './simulator-server';
import { openStateFile } from './state-file';

export type RestMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** A request as a route handler sees it. */
export interface RestRequest {
  method: string;
  /** Path without the query string, as sent (still percent-encoded). */
  path: string;
  /** Route parameters (`/cases/:id`), URL-decoded. */
  params: Record<string, string | undefined>;
  query: Record<string, string | string[] | undefined>;
  headers: http.IncomingHttpHeaders;
  /** Raw body text. */
  body: string;
  /** The body parsed as JSON when its content type is JSON, else undefined. */
  json: unknown;
}

/**
 * What a handler answers with. The body is sent as JSON, except a Buffer, or a string with a
 * non-JSON `content-type` header (CSV, HTML, XML), which are sent as they are.
 */
export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RestContext<State> {
  state: State;
  simulator: RestSimulator<State>;
}

export type RestHandler<State> = (request: RestRequest, context: RestContext<State>) => RestResponse | Promise<RestResponse>;

export interface RestRoute<State> {
  method: RestMethod;
  /** Exact path, with `:name` segments for parameters. Routes are tried in the order given. */
  path: string;
  handler: RestHandler<State>;
  /**
   * Whether the handler may change the state, so a simulator with a `stateDir` saves it before
   * answering. Default: every method but GET, HEAD and OPTIONS.
   */
  changesState?: boolean;
}

/** Checks credentials: false answers 401, a response object answers with it, true lets the request through. */
export type RestAuth = (request: RestRequest) => boolean | RestResponse | Promise<boolean | RestResponse>;

export interface RestSimulatorOptions<State> extends SimulatorServerOptions {
  /** Shown in error bodies and logs, e.g. `acme-waste`. */
  name: string;
  /** Makes fresh state; called at start and on every reset(). */
  state: () => State;
  routes: ReadonlyArray<RestRoute<State>>;
  /** Runs after routing (unknown paths still get 404) and before the handler. */
  auth?: RestAuth;
  /**
   * Folder to keep the state in (`<stateDir>/<name>.json`; the state's Maps and Sets survive): loaded
   * at start when there, saved before each answer to a request that changes it, so a restarted
   * simulator continues where it stopped. Default: memory only.
   */
  stateDir?: string;
}

export interface RestSimulator<State> extends Simulator {
  name: string;
  /** The current state (replaced by reset()). */
  readonly state: State;
  /** The file the state is kept in, when the simulator has a `stateDir`. */
  readonly stateFile: string | undefined;
  /**
   * Saves the state (with a `stateDir`; else does nothing). Requests that change it save it
   * themselves; call this after changing `state` from outside a request, as a helper moving a case
   * on does. close() waits for it and reports a failed save.
   */
  saveState(): Promise<void>;
}

/** Thrown from a handler to answer with an error response. */
export class SimulatorHttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, body?: unknown, headers: Record<string, string> = {}) {
    super(`simulated ${status}`);
    this.name = 'SimulatorHttpError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** A response with `status` and a JSON `body`; return it, or throw it from deep inside a handler. */
export function reply(status: number, body?: unknown, headers?: Record<string, string>): RestResponse {
  return { status, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) };
}

const METHODS: ReadonlySet<string> = new Set<RestMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const READ_ONLY: ReadonlySet<string> = new Set<RestMethod>(['GET', 'HEAD', 'OPTIONS']);

/**
 * The state to start from: the saved one, over a fresh one so that fields a newer simulator added
 * since the save start from their defaults.
 */
function revive<State>(fresh: () => State, saved: State | undefined): State {
  if (saved === undefined) return fresh();
  const base = fresh();
  const mergeable = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set);
  return mergeable(base) && mergeable(saved) ? ({ ...base, ...saved } as State) : saved;
}

type Segment = { param: string } | { literal: string };

interface CompiledRoute<State> {
  route: RestRoute<State>;
  segments: Segment[];
}

function compile<State>(route: RestRoute<State>, simulator: string): CompiledRoute<State> {
  if (!METHODS.has(route.method)) throw new TypeError(`${simulator}: route ${route.path} has unknown method '${String(route.method)}'`);
  if (!route.path.startsWith('/')) throw new TypeError(`${simulator}: route path '${route.path}' must start with '/'`);
  const names = new Set<string>();
  const segments = route.path.split('/').map((segment): Segment => {
    if (!segment.startsWith(':')) return { literal: segment };
    const param = segment.slice(1);
    if (param === '' || names.has(param)) throw new TypeError(`${simulator}: route ${route.path} has an empty or repeated parameter name`);
    names.add(param);
    return { param };
  });
  return { route, segments };
}

/** Matches segment by segment, so an encoded slash (`%2F`) stays inside its parameter. */
function matchSegments(pattern: readonly Segment[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of pattern.entries()) {
    const value = actual[i] ?? '';
    if ('literal' in segment) {
      if (segment.literal !== value) return undefined;
    } else {
      if (value === '') return undefined;
      params[segment.param] = value;
    }
  }
  return params;
}

function decodeSegments(path: string): string[] | undefined {
  try {
    return path.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function isJsonType(contentType: string | undefined): boolean {
  return /\bjson\b/i.test(contentType ?? '');
}

/** A thrown `SimulatorHttpError`, `reply(...)` result or http-errors-style object, else undefined. */
function thrownResponse(error: unknown): RestResponse | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { status?: unknown; body?: unknown; headers?: unknown; message?: unknown };
  if (typeof e.status !== 'number' || !Number.isInteger(e.status) || e.status < 100 || e.status > 599) return undefined;
  const body = 'body' in e ? e.body : error instanceof Error ? { error: error.message } : undefined;
  const headers = typeof e.headers === 'object' && e.headers !== null ? (e.headers as Record<string, string>) : undefined;
  return reply(e.status, body, headers);
}

function isResponse(value: unknown): value is RestResponse {
  return typeof value === 'object' && value !== null && typeof (value as { status?: unknown }).status === 'number';
}

function send(res: http.ServerResponse, out: RestResponse): void {
  const headers = lowerKeys(out.headers);
  const raw =
    Buffer.isBuffer(out.body) ||
    (typeof out.body === 'string' && headers['content-type'] !== undefined && !isJsonType(headers['content-type']));
  if (!raw) return sendJson(res, out.status, out.body, headers);
  const bytes = Buffer.isBuffer(out.body) ? out.body : Buffer.from(out.body as string, 'utf8');
  res.writeHead(out.status, { 'content-type': 'application/octet-stream', 'content-length': bytes.length, ...headers });
  res.end(bytes);
}

/**
 * A stateful REST simulator on 127.0.0.1: declare routes and a state factory; requests are recorded
 * and the shared fault controls apply. Unknown paths get 404, a known path with another method 405,
 * a malformed JSON body 400, all before any handler runs.
 */
export async function startRestSimulator<State>(options: RestSimulatorOptions<State>): Promise<RestSimulator<State>> {
  const { name } = options;
  const routes = options.routes.map((route) => compile(route, name));
  const seen = new Set<string>();
  for (const { route } of routes) {
    // The same method and pattern twice is a mistake: the second route could never run.
    const key = `${route.method} ${route.path.replace(/:[^/]+/g, ':')}`;
    if (seen.has(key)) throw new TypeError(`${name}: two routes for ${route.method} ${route.path}`);
    seen.add(key);
  }
  const file = options.stateDir === undefined ? undefined : openStateFile<State>(options.stateDir, name);
  let state = revive(options.state, file?.load());
  // The state file's own promise: already handled, so a caller that does not wait is no unhandled rejection.
  const saveState = (): Promise<void> => (file ? file.save(state) : Promise.resolve());
  const context = { simulator: undefined as unknown as RestSimulator<State> };

  const handle = async (record: RecordedRequest, res: http.ServerResponse): Promise<void> => {
    const segments = decodeSegments(record.path);
    if (!segments) return sendJson(res, 400, { error: `malformed percent-encoding in ${record.path}` });
    const matches = routes.flatMap((r) => {
      const params = matchSegments(r.segments, segments);
      return params ? [{ compiled: r, params }] : [];
    });
    if (matches.length === 0) return sendJson(res, 404, { error: `no route for ${record.path}` });
    // HEAD falls back to GET as on any HTTP server; Node drops the body itself.
    const match =
      matches.find((m) => m.compiled.route.method === record.method) ??
      (record.method === 'HEAD' ? matches.find((m) => m.compiled.route.method === 'GET') : undefined);
    if (!match) {
      const allow = [...new Set(matches.map((m) => m.compiled.route.method))].join(', ');
      return sendJson(res, 405, { error: `${record.method} not allowed on ${record.path}` }, { allow });
    }

    let json: unknown;
    let malformed = false;
    if (record.body.trim() !== '' && isJsonType(record.headers['content-type'])) {
      try {
        json = JSON.parse(record.body);
      } catch {
        malformed = true;
      }
    }
    const request: RestRequest = {
      method: record.method,
      path: record.path,
      params: match.params,
      query: record.query,
      headers: record.headers,
      body: record.body,
      json,
    };

    // Credentials first, so an unauthenticated caller learns nothing about the body it sent.
    if (options.auth) {
      const verdict = await options.auth(request);
      if (verdict === false) return sendJson(res, 401, { error: 'unauthorised' });
      if (typeof verdict === 'object') return send(res, verdict);
    }
    if (malformed) return sendJson(res, 400, { error: 'request body is not valid JSON' });

    const route = match.compiled.route;
    let out: unknown;
    try {
      out = await route.handler(request, { state, simulator: context.simulator });
    } catch (error) {
      out = thrownResponse(error);
      if (!out) throw error;
    } finally {
      // Saved before the answer leaves: an id the client has seen is never handed out again after a restart.
      if (file && (route.changesState ?? !READ_ONLY.has(route.method))) await saveState();
    }
    if (!isResponse(out)) throw new TypeError(`route ${route.method} ${route.path} returned ${typeof out}, not { status, body? }`);
    send(res, out);
  };

  const server = await startSimulatorServer((record, _req, res) => handle(record, res), {
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });

  const simulator: RestSimulator<State> = {
    name,
    url: server.url,
    requests: server.requests,
    faults: server.faults,
    get state() {
      return state;
    },
    stateFile: file?.path,
    saveState,
    reset: () => {
      server.reset();
      state = options.state();
      void saveState();
    },
    close: async () => {
      await server.close();
      await file?.flush();
    },
  };
  context.simulator = simulator;
  return simulator;
}
