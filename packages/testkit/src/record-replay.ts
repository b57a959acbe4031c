import fs from 'node:fs';
import { Readable } from 'node:stream';
import nock, { type Scope } from 'nock';

/** One recorded interaction, in nock's recorder format. */
export interface RecordedInteraction {
  scope: string;
  method: string;
  path: string;
  body?: unknown;
  status?: number;
  response?: unknown;
  rawHeaders?: string[];
  reqheaders?: Record<string, string>;
}

type Definition = RecordedInteraction;

/** Header and field names whose values never go into a recording. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$/i;
const SECRET_FIELD = /(pass(word)?|secret|token|api[-_]?key|authori[sz]ation|signature|client[-_]?secret)$/i;
const SCRUBBED = '[SCRUBBED]';

function scrubValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrubValue);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) && typeof v !== 'object' ? SCRUBBED : scrubValue(v);
    return out;
  }
  return value;
}

function scrubQuery(path: string): string {
  const [base, query] = path.split('?', 2);
  if (!query) return path;
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) if (SECRET_FIELD.test(key)) params.set(key, SCRUBBED);
  return `${base}?${params.toString()}`;
}

function scrubHeaders(headers: unknown): unknown {
  if (Array.isArray(headers)) {
    // nock records raw headers as [name, value, name, value ...]
    return headers.map((v, i) => (i % 2 === 1 && SECRET_HEADER.test(String(headers[i - 1])) ? SCRUBBED : v));
  }
  if (typeof headers === 'object' && headers !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADER.test(k) ? SCRUBBED : v;
    return out;
  }
  return headers;
}

/** A recording with credentials removed: secret headers, secret-named JSON fields and query parameters. */
export function scrubRecording(definitions: Definition[]): Definition[] {
  return definitions.map((d) => {
    const out: Record<string, unknown> = { ...d, path: scrubQuery(d.path), body: scrubValue(d.body), response: scrubValue(d.response) };
    for (const key of ['reqheaders', 'headers', 'rawHeaders'] as const) if (out[key] !== undefined) out[key] = scrubHeaders(out[key]);
    return out as unknown as Definition;
  });
}

/** Where an unscrubbed credential sits in a recording, or undefined. */
export function findUnscrubbedSecret(definitions: Definition[]): string | undefined {
  const walk = (value: unknown, where: string): string | undefined => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (i % 2 === 1 && typeof value[i - 1] === 'string' && SECRET_HEADER.test(value[i - 1] as string) && value[i] !== SCRUBBED) return `${where}[${i}]`;
        const found = walk(value[i], `${where}[${i}]`);
        if (found) return found;
      }
      return undefined;
    }
    if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if ((SECRET_FIELD.test(k) || SECRET_HEADER.test(k)) && typeof v !== 'object' && v !== SCRUBBED) return `${where}.${k}`;
        const found = walk(v, `${where}.${k}`);
        if (found) return found;
      }
    }
    return undefined;
  };
  for (let i = 0; i < definitions.length; i++) {
    const d = definitions[i]!;
    const query = d.path.split('?', 2)[1];
    if (query) for (const [k, v] of new URLSearchParams(query)) if (SECRET_FIELD.test(k) && v !== SCRUBBED) return `[${i}].path?${k}`;
    const found = walk(d, `[${i}]`);
    if (found) return found;
  }
  return undefined;
}

/**
 * Records the HTTP traffic `fn` makes (it still reaches the real server), scrubs credentials, and
 * writes the recording to `file` as JSON. Returns the scrubbed definitions.
 */
export async function record(fn: () => Promise<void>, options: { file: string }): Promise<Definition[]> {
  nock.restore();
  nock.recorder.clear();
  if (!nock.isActive()) nock.activate();
  nock.recorder.rec({ dont_print: true, output_objects: true, enable_reqheaders_recording: true });
  try {
    await fn();
  } finally {
    nock.restore();
  }
  const recorded = scrubRecording(nock.recorder.play() as unknown as Definition[]);
  nock.recorder.clear();
  nock.activate();
  fs.writeFileSync(options.file, `${JSON.stringify(recorded, null, 2)}\n`);
  return recorded;
}

export interface ReplayHandle {
  scopes: Scope[];
  /** Throws unless every recorded interaction was used. */
  done(): void;
  /** Removes the interceptors and lets connections through again. */
  restore(): void;
}

/**
 * Serves a recording (a file written by `record`, or definitions) with nock. While it is active only
 * 127.0.0.1 may be reached for real. Refuses a recording that still holds a credential.
 */
export function replayFixture(source: string | Definition[]): ReplayHandle {
  const definitions = typeof source === 'string' ? (JSON.parse(fs.readFileSync(source, 'utf8')) as Definition[]) : source;
  const leak = findUnscrubbedSecret(definitions);
  if (leak) throw new Error(`recording holds an unscrubbed credential at ${leak}: re-record it with record(), which scrubs credentials`);
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  // Requests are matched on method, path and the query parameters that are not credentials; bodies are
  // not compared, because a recording's scrubbed credentials could never equal the real ones.
  const scopes = definitions.map((d) => {
    const [base, query] = d.path.split('?', 2);
    const expected = new URLSearchParams(query ?? '');
    const matches = (uri: string): boolean => {
      const [uriBase, uriQuery] = uri.split('?', 2);
      if (uriBase !== base) return false;
      const actual = new URLSearchParams(uriQuery ?? '');
      for (const [k, v] of expected) if (v !== SCRUBBED && actual.get(k) !== v) return false;
      return true;
    };
    const headers = Array.isArray(d.rawHeaders) ? (d.rawHeaders as string[]) : undefined;
    return nock(d.scope)
      .intercept(matches, (d.method ?? 'GET').toUpperCase())
      .reply(d.status ?? 200, d.response as nock.Body, headers as never);
  });
  return {
    scopes,
    done: () => {
      for (const scope of scopes) scope.done();
    },
    restore: () => {
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}

export interface InterceptHandle {
  /** The nock scope, e.g. to assert with `isDone()`. */
  scope: Scope;
  restore(): void;
}

function interceptor(url: string, method: string) {
  const { origin, pathname } = new URL(url);
  return nock(origin).intercept(pathname === '/' ? /.*/ : pathname, method.toUpperCase());
}

/** Every `method` request to `url` (any path when `url` has none) fails as if its TLS certificate had expired. */
export function simulateTlsFailure(url: string, options: { method?: string; code?: string } = {}): InterceptHandle {
  if (!nock.isActive()) nock.activate();
  const code = options.code ?? 'CERT_HAS_EXPIRED';
  const scope = interceptor(url, options.method ?? 'GET')
    .times(1000)
    .replyWithError(Object.assign(new Error(`simulated TLS failure: ${code}`), { code }));
  return { scope, restore: () => void nock.cleanAll() };
}

/** A response that starts (status, headers, the first bytes) and then the connection drops. */
export function simulateResetMidBody(url: string, options: { status?: number; partialBody?: string; method?: string } = {}): InterceptHandle {
  if (!nock.isActive()) nock.activate();
  const partial = options.partialBody ?? '{"id": "REF-1", "stat';
  const scope = interceptor(url, options.method ?? 'GET')
    .times(100)
    .reply(options.status ?? 200, () => {
      let sent = false;
      return new Readable({
        read() {
          if (sent) return void this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
          sent = true;
          this.push(partial);
        },
      });
    }, { 'content-type': 'application/json' });
  return { scope, restore: () => void nock.cleanAll() };
}
