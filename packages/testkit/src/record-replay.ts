import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import querystring from 'node:querystring';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type Nock from 'nock';
import { isSecretName } from '@lgx/core';

/*
 * Record and replay on nock, for what a simulator cannot produce (a TLS failure, a reset in the middle
 * of a body) and for replaying a session recorded against a simulator or a vendor sandbox.
 *
 * nock is loaded on first use, not on import: loading it patches `http` and `fetch` for the whole
 * process, which every test importing @lgx/testkit would otherwise inherit. While a handle from this
 * module is active, a request to a host without an interceptor may only reach loopback (the
 * simulators), never the internet; the last `restore()` takes nock out again.
 */

/** What a scrubbed secret is replaced with. URL-safe, so it can stand in a query string. */
export const SCRUBBED = '__scrubbed__';

/** One recorded request and response in nock's recorder format (`output_objects: true`), as `nock.define` reads it. */
export interface RecordedInteraction {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  scope: string;
  method: string;
  /** Path with its query string, as sent. */
  path: string;
  /** Request body: parsed JSON, or text ('' for none). */
  body?: unknown;
  status?: number;
  /** Response body: parsed JSON, text, or hex when `responseIsBinary`. */
  response?: unknown;
  /** Response headers (an object, or nock's older flat `[name, value, ...]` list). */
  rawHeaders?: Record<string, string | string[]> | string[];
  /** Request headers, when the recording kept them; they must match on replay. */
  reqheaders?: Record<string, string>;
  responseIsBinary?: boolean;
  options?: Record<string, unknown>;
}

/** Interceptors defined by one call, and the way to take them out. */
export interface InterceptHandle {
  readonly scopes: readonly Nock.Scope[];
  /** Throws, naming what was never used (for a simulated failure: if no request met it). */
  done(): void;
  /** Removes this handle's interceptors; the last active handle also deactivates nock. Safe to call twice. */
  restore(): void;
}

export interface ReplayHandle extends InterceptHandle {
  /** The interactions being replayed, in order. */
  readonly interactions: readonly RecordedInteraction[];
}

export interface SecretOptions {
  /** More field, parameter or header names to treat as secret (case and `-`/`_` ignored). */
  secretNames?: readonly string[];
}

export interface ReplayOptions extends SecretOptions {
  /** Match on method, path and query only, for bodies with timestamps or generated ids. Default false. */
  ignoreBodies?: boolean;
}

export interface RecordOptions extends SecretOptions {
  /** Where the scrubbed recording is written (JSON in nock's recorder format). */
  file: string;
  /** Keep only interactions with these origins (e.g. `[sim.url]`); default: all. */
  origins?: readonly string[];
}

export interface RecordResult<T> {
  /** What `fn` returned. */
  result: T;
  /** The scrubbed interactions, as written to the file. */
  interactions: RecordedInteraction[];
  file: string;
}

export type TlsFailureCode =
  | 'CERT_HAS_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'DEPTH_ZERO_SELF_SIGNED_CERT'
  | 'SELF_SIGNED_CERT_IN_CHAIN'
  | 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
  | 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
  | 'ERR_TLS_CERT_ALTNAME_INVALID'
  | 'CERT_UNTRUSTED';

export interface TlsFailureOptions {
  /** The code the client's error carries (default `CERT_HAS_EXPIRED`). */
  code?: TlsFailureCode;
}

export interface ResetMidBodyOptions {
  /** Sent, with the headers, before the reset (default 200). */
  status?: number;
  /** What arrives of the body before the connection is reset. */
  partialBody: string;
  /** Default `content-type: application/json`. */
  headers?: Record<string, string>;
  /** Default GET. */
  method?: string;
  /** How many requests meet the reset (default 1). */
  times?: number;
}

// ---------------------------------------------------------------------------------------------
// nock, loaded lazily and shared by the handles

type NockModule = typeof Nock;

// The ESM build has no `__filename`; there the consumer's working directory is the best anchor.
const requireHere = createRequire(__filename);
const active = new Set<InterceptHandle>();
let recording = false;

const loadNock = (): NockModule => requireHere('nock') as NockModule;

function isLoopback(host: string): boolean {
  return /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(host);
}

function acquire(): NockModule {
  if (recording) throw new Error('a recording is in progress: finish record() before replaying or simulating failures');
  if (process.env.NOCK_OFF === 'true') throw new Error('NOCK_OFF=true is set: nock would let these requests through to the real network');
  const nock = loadNock();
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
  nock.enableNetConnect(isLoopback);
  return nock;
}

function release(nock: NockModule): void {
  if (active.size > 0 || recording) return;
  nock.abortPendingRequests();
  nock.cleanAll();
  nock.restore();
  nock.enableNetConnect();
}

function track<H extends InterceptHandle>(nock: NockModule, interceptors: readonly Nock.Interceptor[], handle: Omit<H, 'restore'>): H {
  let restored = false;
  const full = {
    ...handle,
    restore: () => {
      if (restored) return;
      restored = true;
      for (const interceptor of interceptors) nock.removeInterceptor(interceptor);
      active.delete(full);
      release(nock);
    },
  } as H;
  active.add(full);
  return full;
}

/** Restores every handle still active: put it in an `afterEach` so one failed test cannot leak nock into the next. */
export function restoreNock(): void {
  for (const handle of [...active]) handle.restore();
}

// ---------------------------------------------------------------------------------------------
// Secrets

// Credentials in a value, whatever its field is called. Narrow on purpose: council data is full of
// phrases such as "Basic rate" that must survive.
const CREDENTIAL_VALUE = new RegExp(`^(Bearer|Basic|Digest)\\s+(?!${SCRUBBED})([\\w.~+/-]{8,}=*)$`, 'i');
const CREDENTIAL_IN_TEXT = new RegExp(
  `(authorization\\s*["']?\\s*[:=]\\s*["']?)(Bearer|Basic|Digest)\\s+(?!${SCRUBBED})[\\w.~+/-]+=*`,
  'gi',
);
const JWT = /\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]*/g;
const XML_ELEMENT = /<((?:[\w.-]+:)?([\w.-]+))(\s[^>]*)?>([^<]+)<\/\1>/g;
const FORM = /^[\w.%~+-]+=[^&\s]*(&[\w.%~+-]+=[^&\s]*)*$/;

/** Tokens mix case or carry digits and symbols; a capitalised word ("Basic Household") does not. */
const looksLikeToken = (token: string): boolean => /[0-9+/=._~-]|[A-Z]/.test(token.slice(1));
const normalise = (name: string): string => name.toLowerCase().replace(/[-_\s]/g, '');

interface Scrubber {
  isSecret(name: string): boolean;
  /** Where secrets were found, e.g. `[2].response.access_token`; never the values. */
  found: string[];
}

function scrubber(options: SecretOptions = {}): Scrubber {
  const extra = new Set((options.secretNames ?? []).map(normalise));
  return {
    isSecret: (name) => isSecretName(name) || extra.has(normalise(name)),
    found: [],
  };
}

/** Nothing to hide: empty, already scrubbed, or a flag such as `hasPassword: true`. */
function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '' || value === SCRUBBED || typeof value === 'boolean';
}

function scrubText(text: string, where: string, s: Scrubber): string {
  if (FORM.test(text)) {
    let changed = false;
    const pairs = text.split('&').map((pair) => {
      const [rawKey = '', rawValue = ''] = pair.split('=');
      const key = querystring.unescape(rawKey);
      if (!s.isSecret(key) || isBlank(querystring.unescape(rawValue))) return pair;
      s.found.push(`${where}.${key}`);
      changed = true;
      return `${rawKey}=${SCRUBBED}`;
    });
    if (changed) return pairs.join('&');
  }
  const whole = CREDENTIAL_VALUE.exec(text);
  if (whole && looksLikeToken(whole[2] ?? '')) {
    s.found.push(`${where} (a ${whole[1]} credential)`);
    return `${whole[1]} ${SCRUBBED}`;
  }
  return text
    .replace(CREDENTIAL_IN_TEXT, (_m: string, prefix: string, scheme: string) => {
      s.found.push(`${where} (an Authorization value in the text)`);
      return `${prefix}${scheme} ${SCRUBBED}`;
    })
    .replace(JWT, () => {
      s.found.push(`${where} (a JWT)`);
      return SCRUBBED;
    })
    .replace(XML_ELEMENT, (m: string, tag: string, local: string, attrs: string | undefined, content: string) => {
      // Elements such as <wsse:Password> in a SOAP envelope.
      if (!s.isSecret(local) || isBlank(content.trim())) return m;
      s.found.push(`${where} <${tag}>`);
      return `<${tag}${attrs ?? ''}>${SCRUBBED}</${tag}>`;
    });
}

function scrubData(value: unknown, where: string, s: Scrubber): unknown {
  if (typeof value === 'string') return scrubText(value, where, s);
  if (Array.isArray(value)) return value.map((v, i) => scrubData(v, `${where}[${i}]`, s));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (s.isSecret(key) && !isBlank(v)) {
      s.found.push(`${where}.${key}`);
      out[key] = SCRUBBED;
    } else out[key] = scrubData(v, `${where}.${key}`, s);
  }
  return out;
}

function scrubHeaderValue(name: string, value: string, where: string, s: Scrubber): string {
  if (!s.isSecret(name) || isBlank(value)) return scrubText(value, where, s);
  s.found.push(where);
  return SCRUBBED;
}

function scrubHeaders<H extends NonNullable<RecordedInteraction['rawHeaders']>>(headers: H, where: string, s: Scrubber): H {
  if (Array.isArray(headers))
    return headers.map((v, i) => (i % 2 === 1 ? scrubHeaderValue(headers[i - 1] ?? '', v, `${where}[${i}]`, s) : v)) as H;
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Array.isArray(value)
      ? value.map((v, i) => scrubHeaderValue(name, v, `${where}.${name}[${i}]`, s))
      : scrubHeaderValue(name, value, `${where}.${name}`, s);
  }
  return out as H;
}

function scrubInteraction(interaction: RecordedInteraction, index: number, s: Scrubber): RecordedInteraction {
  const at = `[${index}]`;
  const q = interaction.path.indexOf('?');
  const out: RecordedInteraction = { ...interaction };
  if (q !== -1) out.path = `${interaction.path.slice(0, q)}?${scrubText(interaction.path.slice(q + 1), `${at}.path?`, s)}`;
  if (interaction.body !== undefined) out.body = scrubData(interaction.body, `${at}.body`, s);
  if (interaction.response !== undefined && interaction.responseIsBinary !== true)
    out.response = scrubData(interaction.response, `${at}.response`, s);
  if (interaction.rawHeaders !== undefined) out.rawHeaders = scrubHeaders(interaction.rawHeaders, `${at}.rawHeaders`, s);
  if (interaction.reqheaders !== undefined) out.reqheaders = scrubHeaders(interaction.reqheaders, `${at}.reqheaders`, s);
  return out;
}

/**
 * A copy of the interactions with every secret replaced by `SCRUBBED`: Authorization, cookie and
 * API-key headers; password, token, secret and key fields in JSON, form and XML bodies and in query
 * strings; bearer/basic credentials and JWTs wherever they appear.
 */
export function scrubRecording(interactions: readonly RecordedInteraction[], options: SecretOptions = {}): RecordedInteraction[] {
  const s = scrubber(options);
  return interactions.map((interaction, i) => scrubInteraction(interaction, i, s));
}

/** Where the first unscrubbed secret is (e.g. `[0].rawHeaders.authorization`), never its value; undefined if none. */
export function findUnscrubbedSecret(interactions: readonly RecordedInteraction[], options: SecretOptions = {}): string | undefined {
  return unscrubbedSecrets(interactions, options)[0];
}

function unscrubbedSecrets(interactions: readonly RecordedInteraction[], options: SecretOptions): string[] {
  const s = scrubber(options);
  interactions.forEach((interaction, i) => scrubInteraction(interaction, i, s));
  return s.found;
}

// ---------------------------------------------------------------------------------------------
// Recording

type Headers = RecordedInteraction['rawHeaders'];

function headerValue(headers: Headers, name: string): string | undefined {
  if (!headers) return undefined;
  if (Array.isArray(headers)) {
    const i = headers.findIndex((h, idx) => idx % 2 === 0 && h.toLowerCase() === name);
    return i === -1 ? undefined : headers[i + 1];
  }
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  return entry ? [entry[1]].flat().join(', ') : undefined;
}

function withoutHeaders(headers: NonNullable<Headers>, names: readonly string[]): NonNullable<Headers> {
  const drop = (name: string | undefined): boolean => names.includes((name ?? '').toLowerCase());
  if (Array.isArray(headers)) return headers.filter((_, i) => !drop(headers[i - (i % 2)]));
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop(k)));
}

function decode(chunks: readonly string[], coding: string): unknown {
  let bytes = Buffer.concat(chunks.map((c) => Buffer.from(c, 'hex')));
  for (const c of coding
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .reverse()) {
    if (c === 'gzip' || c === 'x-gzip') bytes = zlib.gunzipSync(bytes);
    else if (c === 'deflate') bytes = zlib.inflateSync(bytes);
    else if (c === 'br') bytes = zlib.brotliDecompressSync(bytes);
    else if (c !== 'identity') throw new Error(`unknown content-encoding ${c}`);
  }
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * nock keeps a compressed response as hex chunks that no one can read or scrub: store it decoded.
 * Content-Length goes too: scrubbing changes the length, and nock sets it on replay.
 */
function readable(interaction: RecordedInteraction): RecordedInteraction {
  const out = { ...interaction };
  const coding = headerValue(interaction.rawHeaders, 'content-encoding');
  const chunks = interaction.response;
  if (coding && Array.isArray(chunks) && chunks.every((c) => typeof c === 'string')) {
    try {
      out.response = decode(chunks, coding);
      out.responseIsBinary = false;
      if (out.rawHeaders) out.rawHeaders = withoutHeaders(out.rawHeaders, ['content-encoding']);
    } catch {
      // Left as recorded: replay still works, though the secret check cannot see inside it.
    }
  }
  if (out.rawHeaders) out.rawHeaders = withoutHeaders(out.rawHeaders, ['content-length']);
  return out;
}

/** Lets the recorder finish the responses it was still reading when `fn` returned. */
async function settle(count: () => number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const before = count();
    await new Promise((r) => setTimeout(r, 10));
    if (count() === before) return;
  }
}

/**
 * Runs `fn` while nock records every HTTP interaction it makes, scrubs the secrets out (see
 * `scrubRecording`) and writes the recording to `file`. Nothing is written when `fn` throws; nock
 * is restored either way. Point `fn` at a simulator or a sandbox: recording lets requests through.
 */
export async function record<T>(fn: () => T | Promise<T>, options: RecordOptions): Promise<RecordResult<T>> {
  if (recording) throw new Error('a recording is already in progress');
  if (active.size > 0) throw new Error('restore the active replay or simulated failure before recording');
  const nock = loadNock();
  recording = true;
  let raw: RecordedInteraction[];
  let result: T;
  try {
    // nock intercepts from the moment it is loaded; the recorder needs requests to reach the server.
    nock.restore();
    nock.recorder.clear();
    nock.recorder.rec({ dont_print: true, output_objects: true });
    result = await fn();
    await settle(() => nock.recorder.play().length);
    raw = nock.recorder.play() as unknown as RecordedInteraction[];
  } finally {
    nock.restore();
    nock.recorder.clear();
    recording = false;
    release(nock);
  }
  const origins = options.origins?.map((o) => new URL(o).origin);
  const kept = raw.filter((r) => !origins || origins.includes(new URL(r.scope).origin));
  const interactions = scrubRecording(kept.map(readable), options);
  fs.mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  fs.writeFileSync(options.file, `${JSON.stringify(interactions, null, 2)}\n`);
  return { result, interactions, file: options.file };
}

// ---------------------------------------------------------------------------------------------
// Replaying

function readRecording(source: string | readonly RecordedInteraction[], name: string): RecordedInteraction[] {
  let parsed: unknown = source;
  if (typeof source === 'string') {
    try {
      parsed = JSON.parse(fs.readFileSync(source, 'utf8'));
    } catch (cause) {
      throw new Error(`cannot read the recording ${source}`, { cause });
    }
  }
  if (!Array.isArray(parsed)) throw new Error(`${name} is not a list of recorded interactions (nock's recorder format)`);
  parsed.forEach((item: unknown, i) => {
    const r = item as Partial<RecordedInteraction> | null;
    if (typeof r?.scope !== 'string' || typeof r.method !== 'string' || typeof r.path !== 'string') {
      throw new Error(`${name}: interaction [${i}] needs a string scope, method and path`);
    }
  });
  return parsed as RecordedInteraction[];
}

/** Equal, except that SCRUBBED in the recording stands for any value (inside text: any characters). */
function matchesRecorded(recorded: unknown, actual: unknown): boolean {
  if (recorded === SCRUBBED) return actual !== undefined && actual !== null;
  if (typeof recorded === 'string') {
    const text = typeof actual === 'number' || typeof actual === 'boolean' ? String(actual) : actual;
    if (typeof text !== 'string') return false;
    if (!recorded.includes(SCRUBBED)) return recorded === text;
    const pattern = recorded
      .split(SCRUBBED)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[\\s\\S]+?');
    return new RegExp(`^${pattern}$`).test(text);
  }
  if (Array.isArray(recorded))
    return Array.isArray(actual) && actual.length === recorded.length && recorded.every((r, i) => matchesRecorded(r, actual[i]));
  if (typeof recorded === 'object' && recorded !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    const r = Object.entries(recorded);
    const a = actual as Record<string, unknown>;
    return r.length === Object.keys(a).length && r.every(([k, v]) => k in a && matchesRecorded(v, a[k]));
  }
  return recorded === actual;
}

function containsScrubbed(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(SCRUBBED);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsScrubbed);
  return false;
}

/** A body matcher for a recording whose body had secrets scrubbed out of it. */
function scrubbedBodyMatcher(recorded: unknown): (body: unknown) => boolean {
  // nock hands a form body over parsed only when the request said it was a form; parse both sides alike.
  const asForm = (v: unknown): unknown => (typeof v === 'string' && FORM.test(v) ? { ...querystring.parse(v) } : v);
  const expected = asForm(recorded);
  return (body) => matchesRecorded(expected, typeof expected === 'object' ? asForm(body) : body);
}

function define(nock: NockModule, r: RecordedInteraction, options: ReplayOptions): { interceptor: Nock.Interceptor; scope: Nock.Scope } {
  const scope = nock(r.scope, { ...(r.options as Nock.Options | undefined) });
  for (const [name, value] of Object.entries(r.reqheaders ?? {})) {
    scope.matchHeader(name, value === SCRUBBED ? (v: string | undefined) => v !== undefined : value);
  }
  const q = r.path.indexOf('?');
  let body: Nock.RequestBodyMatcher | undefined;
  if (!options.ignoreBodies && r.body !== undefined)
    body = containsScrubbed(r.body) ? scrubbedBodyMatcher(r.body) : (r.body as Nock.RequestBodyMatcher);
  const interceptor = scope.intercept(q === -1 ? r.path : r.path.slice(0, q), r.method, body);
  if (q !== -1) {
    const expected = { ...querystring.parse(r.path.slice(q + 1)) };
    interceptor.query((actual) => matchesRecorded(expected, { ...actual }));
  }
  const response = r.responseIsBinary && typeof r.response === 'string' ? Buffer.from(r.response, 'hex') : (r.response ?? '');
  interceptor.reply(r.status ?? 200, response as Nock.Body, (r.rawHeaders ?? {}) as Nock.ReplyHeaders);
  return { interceptor, scope };
}

/**
 * Intercepts the recorded origins with the recorded responses, in order: from a file written by
 * `record`, or interactions in nock's recorder format. `done()` asserts every interaction was
 * requested. Refuses, naming where, a recording that holds an unscrubbed secret.
 */
export function replayFixture(source: string | readonly RecordedInteraction[], options: ReplayOptions = {}): ReplayHandle {
  const name = typeof source === 'string' ? source : 'the recording';
  const interactions = readRecording(source, name);
  const secrets = unscrubbedSecrets(interactions, options);
  if (secrets.length > 0) {
    throw new Error(
      `${name} holds unscrubbed secrets at ${secrets.join(', ')}: record it again with record(), or replace those values with "${SCRUBBED}"`,
    );
  }
  const nock = acquire();
  const interceptors: Nock.Interceptor[] = [];
  const scopes: Nock.Scope[] = [];
  const handle = track<ReplayHandle>(nock, interceptors, {
    scopes,
    interactions,
    done: () => {
      const pending = scopes.flatMap((s) => s.pendingMocks());
      if (pending.length > 0) throw new Error(`${name} was not fully replayed; never requested: ${pending.join(', ')}`);
    },
  });
  try {
    for (const r of interactions) {
      const { interceptor, scope } = define(nock, r, options);
      interceptors.push(interceptor);
      scopes.push(scope);
    }
  } catch (error) {
    handle.restore();
    throw error;
  }
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Failures a simulator cannot produce

const TLS_MESSAGES: Record<TlsFailureCode, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: "Hostname/IP does not match certificate's altnames",
  CERT_UNTRUSTED: 'certificate not trusted',
};

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/**
 * Every request to the URL's origin (any path, any method) fails as Node fails on a certificate it
 * cannot trust: an error with `code` (default `CERT_HAS_EXPIRED`) and OpenSSL's message, before any
 * response. `done()` asserts that at least one request met it.
 */
export function simulateTlsFailure(url: string, options: TlsFailureOptions = {}): InterceptHandle {
  const target = new URL(url);
  if (target.protocol !== 'https:') throw new TypeError(`a TLS failure needs an https URL, got ${target.origin}`);
  const code = options.code ?? 'CERT_HAS_EXPIRED';
  const nock = acquire();
  const scope = nock(target.origin).persist();
  let hits = 0;
  scope.on('request', () => void hits++);
  const interceptors = METHODS.map((method) => scope.intercept(() => true, method));
  // A fresh error per request, as Node makes: clients attach their own state to the error they get.
  for (const interceptor of interceptors) interceptor.reply(() => Promise.reject(Object.assign(new Error(TLS_MESSAGES[code]), { code })));
  return track<InterceptHandle>(nock, interceptors, {
    scopes: [scope],
    done: () => {
      if (hits === 0) throw new Error(`no request went to ${target.origin}, so none met the simulated TLS failure`);
    },
  });
}

/**
 * The next request (or `times` requests) to exactly this URL gets the status, the headers and
 * `partialBody`, then the connection is reset: an http client's response emits `aborted` and an
 * ECONNRESET error; a fetch body read rejects.
 */
export function simulateResetMidBody(url: string, options: ResetMidBodyOptions): InterceptHandle {
  const target = new URL(url);
  const nock = acquire();
  const scope = nock(target.origin);
  const interceptor = scope.intercept(`${target.pathname}${target.search}`, options.method ?? 'GET').times(options.times ?? 1);
  const partThenReset = (): Readable => {
    let sent = false;
    return new Readable({
      read() {
        if (sent) return;
        sent = true;
        this.push(options.partialBody);
        // After the first chunk has gone out, as when the vendor or a proxy drops the connection.
        setImmediate(() => this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
      },
    });
  };
  interceptor.reply(options.status ?? 200, () => partThenReset() as unknown as Nock.ReplyBody, {
    'content-type': 'application/json',
    ...options.headers,
  });
  return track<InterceptHandle>(nock, [interceptor], { scopes: [scope], done: () => scope.done() });
}
