import { mkdirSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A simulator's state kept in one JSON file, so a restarted simulator continues its numbering and
 * still answers for what it held. Writes are atomic (a temporary file renamed over the old one): a
 * simulator killed mid-write leaves the previous state or the new one, never half of either. The
 * file is rewritten whole on every save, which suits the thousands of records of a trial or a test
 * run, not volume (see bench/simulator-state.ts).
 */
export interface StateFile<State> {
  /** The file, `<dir>/<name>.json`. */
  readonly path: string;
  /** The state saved last, or undefined when nothing was saved yet. Throws when the file is not readable as this simulator's state. */
  load(): State | undefined;
  /**
   * Saves `state`; resolves once a write that began after this call is on disk. Calls that arrive
   * while a write is running share the next one, so a busy simulator writes at most one file at a time.
   */
  save(state: State): Promise<void>;
  /** Waits for every pending write; rejects with the last write's failure, if it failed. */
  flush(): Promise<void>;
}

/** The file's own format version, so a later format can read this one. */
const FORMAT = 1;
const TAGS = ['$map', '$set', '$object'] as const;

/**
 * The JSON.stringify replacer of the file: Maps and Sets become tagged arrays, and a plain object that
 * would read as a tag is wrapped, so data never turns into a Map on the way back. No copy of the
 * state is made first: at 100,000 records the copy cost as much as the serialising.
 */
function encoder(): (key: string, value: unknown) => unknown {
  const wrapped = new WeakSet<object>();
  return (_key, value) => {
    if (value instanceof Map) return { $map: [...value] };
    if (value instanceof Set) return { $set: [...value] };
    if (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      !wrapped.has(value) &&
      TAGS.some((tag) => Object.hasOwn(value, tag))
    ) {
      const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
      if (keys.length === 1) {
        wrapped.add(value);
        return { $object: value };
      }
    }
    return value;
  };
}

/** Copies `source`'s properties without letting a `__proto__` key reach the prototype. */
function plain(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source))
    Object.defineProperty(out, k, { value: decode(v), enumerable: true, writable: true, configurable: true });
  return out;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    if (keys[0] === '$map' && Array.isArray(record.$map))
      return new Map((record.$map as Array<[unknown, unknown]>).map(([k, v]) => [decode(k), decode(v)]));
    if (keys[0] === '$set' && Array.isArray(record.$set)) return new Set(record.$set.map(decode));
    if (keys[0] === '$object' && typeof record.$object === 'object' && record.$object !== null)
      return plain(record.$object as Record<string, unknown>);
  }
  return plain(record);
}

/**
 * Writes `text` to `file` atomically: a temporary file renamed over it. Only the owner can read it.
 * No fsync: the rename alone survives the simulator being killed, which is what a simulator needs,
 * and a flush to disk on every change cost more than the rest of a request.
 */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text, { encoding: 'utf8', mode: 0o600 });
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Opens `<dir>/<name>.json` for a simulator named `name` (lower-case letters, digits, hyphens). The
 * folder is created (only its owner may enter it) when missing. The file holds whatever the simulator
 * was sent, as a back office's database would: give simulators test data only.
 */
export function openStateFile<State>(dir: string, name: string): StateFile<State> {
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name))
    throw new TypeError(`a simulator state name must be lower-case letters, digits and hyphens, got '${name}'`);
  const folder = path.resolve(dir);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = path.join(folder, `${name}.json`);
  let latest: State | undefined;
  let running: Promise<void> | undefined;
  let waiting: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | undefined;
  let failure: unknown;

  const start = (): Promise<void> => {
    // Serialised when the write begins, so it holds every change made before then.
    const text = `${JSON.stringify({ format: FORMAT, simulator: name, savedAt: new Date().toISOString(), state: latest }, encoder())}\n`;
    const write = writeAtomically(file, text).then(
      () => void (failure = undefined),
      (error: unknown) => {
        failure = error;
        throw error;
      },
    );
    running = write.finally(() => {
      running = undefined;
      const next = waiting;
      waiting = undefined;
      if (next) start().then(next.resolve, next.reject);
    });
    // A failure reaches whoever awaits the save, and flush(); a caller that did not wait is no crash.
    running.catch(() => undefined);
    write.catch(() => undefined);
    return write;
  };

  return {
    path: file,
    load() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new Error(`cannot read simulator state ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`, { cause: error });
      }
      let parsed: { format?: unknown; simulator?: unknown; state?: unknown };
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch (error) {
        throw new Error(`${file} is not a simulator state file (not JSON): move it away to start afresh`, { cause: error });
      }
      if (parsed.format !== FORMAT || typeof parsed.state !== 'object' || parsed.state === null)
        throw new Error(`${file} is not a simulator state file of format ${FORMAT}: move it away to start afresh`);
      if (parsed.simulator !== name) throw new Error(`${file} holds the state of simulator '${String(parsed.simulator)}', not '${name}'`);
      return decode(parsed.state) as State;
    },
    save(state) {
      latest = state;
      if (!running) return start();
      if (!waiting) {
        let resolve!: () => void;
        let reject!: (error: unknown) => void;
        const promise = new Promise<void>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        promise.catch(() => undefined);
        waiting = { promise, resolve, reject };
      }
      return waiting.promise;
    },
    async flush() {
      while (running || waiting) await (waiting?.promise ?? running)!.catch(() => undefined);
      if (failure !== undefined) throw failure;
    },
  };
}
