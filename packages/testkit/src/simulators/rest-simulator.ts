import { sendJson, startSimulatorServer, type RecordedRequest, type Simulator, type SimulatorServerOptions } from './simulator-server';
import type http from 'node:http';

/** A request as a route handler sees it. */
export interface RestRequest {
  method: string;
  path: string;
  /** Route parameters (`/cases/:id`), URL-decoded. */
  params: Record<string, string | undefined>;
  query: Record<string, string | string[] | undefined>;
  headers: http.IncomingHttpHeaders;
  /** Raw body text. */
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

/** What a handler answers with. */
export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RestRoute<State> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Exact path, with `:name` segments for parameters. */
  path: string;
  handler: (request: RestRequest, context: { state: State; simulator: RestSimulator<State> }) => RestResponse | Promise<RestResponse>;
}

export interface RestSimulatorOptions<State> extends SimulatorServerOptions {
  name: string;
  /** Makes fresh state; called at start and on every reset(). */
  state: () => State;
  routes: Array<RestRoute<State>>;
  /** Checks credentials: false answers 401, a response object answers with it. */
  auth?: (request: RestRequest) => boolean | RestResponse;
}

export interface RestSimulator<State> extends Simulator {
  name: string;
  /** The current state (replaced by reset()). */
  readonly state: State;
}

/** Thrown from a handler to answer with an error. */
export class SimulatorHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`simulated ${status}`);
    this.name = 'SimulatorHttpError';
  }
}

/** A response with `status` and a JSON `body`. */
export function reply(status: number, body?: unknown, headers?: Record<string, string>): RestResponse {
  return { status, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) };
}

interface CompiledRoute<State> {
  route: RestRoute<State>;
  pattern: RegExp;
  names: string[];
}

function compile<State>(route: RestRoute<State>): CompiledRoute<State> {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/**
 * A stateful REST simulator on 127.0.0.1: declare routes and a state factory; requests are recorded
 * and the shared fault controls apply. Malformed JSON bodies get a 400 before any handler runs.
 */
export async function startRestSimulator<State>(options: RestSimulatorOptions<State>): Promise<RestSimulator<State>> {
  const routes = options.routes.map(compile);
  let state = options.state();
  // eslint-disable-next-line prefer-const -- assigned once the server is up, used by handlers after.
  let simulator: RestSimulator<State>;

  const server = await startSimulatorServer(
    async (record: RecordedRequest, _req, res) => {
      const matches = routes.filter((r) => r.pattern.test(record.path));
      if (matches.length === 0) return sendJson(res, 404, { error: `no route for ${record.path}` });
      const match = matches.find((r) => r.route.method === record.method);
      if (!match) return sendJson(res, 405, { error: `${record.method} not allowed on ${record.path}` }, { allow: matches.map((r) => r.route.method).join(', ') });
      const values = match.pattern.exec(record.path)!.slice(1);
      const params: Record<string, string> = {};
      match.names.forEach((name, i) => (params[name] = decodeURIComponent(values[i] ?? '')));
      let json: unknown;
      const type = String(record.headers['content-type'] ?? '');
      if (record.body !== '' && /json/i.test(type)) {
        try {
          json = JSON.parse(record.body);
        } catch {
          return sendJson(res, 400, { error: 'request body is not valid JSON' });
        }
      }
      const request: RestRequest = { method: record.method, path: record.path, params, query: record.query, headers: record.headers, body: record.body, json };
      if (options.auth) {
        const verdict = options.auth(request);
        if (verdict === false) return sendJson(res, 401, { error: 'unauthorised' });
        if (typeof verdict === 'object') return sendJson(res, verdict.status, verdict.body, verdict.headers);
      }
      try {
        const out = await match.route.handler(request, { state, simulator });
        sendJson(res, out.status, out.body, out.headers);
      } catch (error) {
        if (error instanceof SimulatorHttpError) return sendJson(res, error.status, error.body, error.headers);
        throw error;
      }
    },
    options,
  );

  simulator = {
    ...server,
    name: options.name,
    get state() {
      return state;
    },
    reset: () => {
      server.reset();
      state = options.state();
    },
  };
  return simulator;
}
