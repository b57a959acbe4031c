import { LgxError } from '@lgx/core';

type PublishedValue = string | number | boolean | null;
export type PublishedRecord = Readonly<Record<string, PublishedValue>>;

export interface PublishOptions {
  /** The write endpoint in full, e.g. `https://performance.example.gov.uk/data/<group>/<type>`. */
  url: string;
  /** The data-set's bearer token. Never logged: scrubbed from every message this module writes. */
  token: string;
  records: readonly PublishedRecord[];
  /** Records per request (default 500). */
  batchSize?: number;
  /** Attempts per request before giving up (default 5). */
  maxAttempts?: number;
  /** First wait before a retry, doubled each time with full jitter (default 500 ms). */
  baseDelayMs?: number;
  /** Longest wait before a retry, also the cap on a Retry-After (default 30 s). */
  maxDelayMs?: number;
  /** One request's deadline (default 30 s). */
  timeoutMs?: number;
  /** Told before each retry: which batch, why, and how long the wait is. */
  onRetry?: (retry: { batch: number; attempt: number; reason: string; delayMs: number }) => void;
}

export interface PublishResult {
  records: number;
  requests: number;
  retries: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_MESSAGE = 300;

/**
 * The write endpoint, checked: https, or http to this machine only, since the bearer token travels
 * with every request; no user name or password in it (they would sit in shell history).
 */
export function publishTarget(url: string): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new LgxError(
      'LGX_ERR_REPORT_PUBLISH',
      `--publish must be a full URL (https://host/data/<group>/<type>), not '${url.slice(0, 100)}'`,
    );
  }
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && LOOPBACK.has(target.hostname))) {
    throw new LgxError(
      'LGX_ERR_REPORT_PUBLISH',
      `--publish must be an https:// URL (http:// only to this machine): the bearer token goes with every request`,
    );
  }
  if (target.username || target.password)
    throw new LgxError('LGX_ERR_REPORT_PUBLISH', '--publish must not carry a user name or password: the token comes from --token-env');
  return target;
}

/** Where the records went, for messages: no query string (it may hold a key). */
export const shownTarget = (target: URL): string => `${target.origin}${target.pathname}`;

/**
 * Backdrop takes `_timestamp` as `YYYY-MM-DDTHH:MM:SS` with `Z` or an offset and no fraction of a
 * second: a fraction is dropped (periods start on whole seconds, so nothing is lost).
 */
function backdropRecord(record: PublishedRecord): PublishedRecord {
  const timestamp = record._timestamp;
  if (typeof timestamp !== 'string') return record;
  const whole = timestamp.replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+(Z|[+-]\d\d:\d\d)$/, '$1$2');
  return whole === timestamp ? record : { ...record, _timestamp: whole };
}

/** What the receiver said, bounded, with the token taken out wherever it was echoed. */
function receiverMessage(body: string, token: string): string {
  let message = body.trim();
  try {
    const parsed = JSON.parse(body) as { message?: unknown; messages?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
    else if (Array.isArray(parsed.messages)) message = parsed.messages.map(String).join('; ');
  } catch {
    // not JSON: the text as it came
  }
  return scrub(message, token).slice(0, MAX_MESSAGE) || '(no message)';
}

const scrub = (text: string, token: string): string => (token ? text.split(token).join('[token]') : text);

/** Seconds of a Retry-After header (a number of seconds or an HTTP date), in ms. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Sent = { ok: true } | { ok: false; retry: boolean; reason: string; waitMs?: number };

async function send(target: URL, token: string, body: string, timeoutMs: number): Promise<Sent> {
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause?.code;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `network error${typeof cause === 'string' ? ` (${cause})` : ''}`;
    return { ok: false, retry: true, reason };
  }
  const text = await response.text();
  if (response.ok) return { ok: true };
  const reason = `the receiver answered ${response.status}: ${receiverMessage(text, token)}`;
  const retry = response.status === 429 || response.status >= 500;
  const waitMs = retryAfterMs(response.headers.get('retry-after'));
  return { ok: false, retry, reason, ...(waitMs !== undefined ? { waitMs } : {}) };
}

/**
 * POSTs records to a Backdrop-compatible write endpoint as JSON arrays of at most `batchSize`, with
 * the bearer token. A 5xx, a 429 or a network error is tried again after a growing wait (Retry-After
 * honoured, capped), at most `maxAttempts` times; any other 4xx ends it at once with the receiver's
 * message. Records carry deterministic `_id`s, so publishing a period again overwrites it.
 */
export async function publishRecords(options: PublishOptions): Promise<PublishResult> {
  const target = publishTarget(options.url);
  const batchSize = options.batchSize ?? 500;
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const result: PublishResult = { records: 0, requests: 0, retries: 0 };
  for (let start = 0, batch = 1; start < options.records.length; start += batchSize, batch += 1) {
    const records = options.records.slice(start, start + batchSize).map(backdropRecord);
    const body = JSON.stringify(records);
    for (let attempt = 1; ; attempt += 1) {
      result.requests += 1;
      const sent = await send(target, options.token, body, timeoutMs);
      if (sent.ok) break;
      const done = `${result.records} of ${options.records.length} records were published to ${shownTarget(target)}`;
      if (!sent.retry) throw new LgxError('LGX_ERR_REPORT_PUBLISH', `${sent.reason} (${done})`, { details: { batch } });
      if (attempt >= maxAttempts)
        throw new LgxError('LGX_ERR_REPORT_PUBLISH', `${sent.reason}, still after ${maxAttempts} attempts (${done})`, {
          details: { batch },
        });
      const delayMs = Math.min(maxDelayMs, sent.waitMs ?? Math.random() * baseDelayMs * 2 ** (attempt - 1));
      options.onRetry?.({ batch, attempt, reason: sent.reason, delayMs });
      result.retries += 1;
      await sleep(delayMs);
    }
    result.records += records.length;
  }
  return result;
}
