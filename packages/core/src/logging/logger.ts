import { REDACTED } from '../redaction/redact';
import { isSecretName } from '../redaction/secret-name';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One log record as handed to a sink. */
export interface LogEntry {
  level: LogLevel;
  time: string;
  msg: string;
  [field: string]: unknown;
}

/** The logger every LGX component and adapter is given. Fields are scrubbed before they reach the sink. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `bindings` to every entry and also scrubs `secrets`. */
  child(bindings: Record<string, unknown>, secrets?: Iterable<string>): Logger;
}

export interface LoggerOptions {
  /** Lowest level written (default `info`). */
  level?: LogLevel;
  /** Where entries go (default: one JSON line per entry on standard error). */
  sink?: (entry: LogEntry) => void;
  /** Exact values to scrub wherever they appear (config secrets: API keys, passwords, tokens). */
  secrets?: Iterable<string>;
  /** Fields added to every entry. */
  bindings?: Record<string, unknown>;
  /** Clock for timestamps. */
  now?: () => Date;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function scrubString(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

function scrub(value: unknown, secrets: readonly string[], depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubString(value, secrets);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; classification?: unknown; status?: unknown; vendorCode?: unknown };
    const out: Record<string, unknown> = { name: e.name, message: scrubString(e.message, secrets) };
    for (const key of ['code', 'classification', 'status', 'vendorCode'] as const)
      if (e[key] !== undefined) out[key] = scrub(e[key], secrets, depth + 1, seen);
    if (e.cause !== undefined) out.cause = scrub(e.cause, secrets, depth + 1, seen);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const masked = isSecretName(key) && child !== undefined && child !== null && typeof child !== 'boolean';
    Object.defineProperty(out, key, {
      value: masked ? REDACTED : scrub(child, secrets, depth + 1, seen),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function defaultSink(entry: LogEntry): void {
  process.stderr.write(`${JSON.stringify(entry)}\n`);
}

/**
 * A structured logger that scrubs before writing: values of fields named like secrets
 * (`password`, `apiKey`, `token`, `authorization` ...) and every known secret value, wherever it appears.
 * Personal data must reach it already redacted (see `redact`, `redactTransaction`).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const sink = options.sink ?? defaultSink;
  const secrets = [...(options.secrets ?? [])].filter((s) => typeof s === 'string' && s.length >= 4);
  const bindings = options.bindings ?? {};
  const now = options.now ?? (() => new Date());
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < threshold) return;
    const scrubbed = scrub({ ...bindings, ...fields }, secrets, 0, new WeakSet()) as Record<string, unknown>;
    sink({ ...scrubbed, level, time: now().toISOString(), msg: scrubString(msg, secrets) });
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (more, moreSecrets) =>
      createLogger({ ...options, sink, secrets: [...secrets, ...(moreSecrets ?? [])], bindings: { ...bindings, ...more }, now }),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ sink: () => undefined, level: 'error' });
