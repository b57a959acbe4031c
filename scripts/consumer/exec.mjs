// Runs commands for the consumer test as a user's shell would: without the variables `npm run` adds
// (npm_*, INIT_CWD) and without this repository's node_modules/.bin on the PATH, with a deadline, and
// with every process it starts remembered so the test can stop what is left.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { root } from '../lib/workspaces.mjs';

const inRepository = (dir) => {
  const resolved = path.resolve(dir);
  return resolved === root || resolved.startsWith(`${root}${path.sep}`);
};

/** The environment of a user's shell, outside this repository. */
export const userEnv = Object.fromEntries(
  Object.entries(process.env)
    .filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD')
    .map(([key, value]) => [
      key,
      key === 'PATH'
        ? value
            .split(path.delimiter)
            .filter((dir) => dir && !inRepository(dir))
            .join(path.delimiter)
        : value,
    ]),
);

const running = new Set();

/**
 * Starts `command args` in `cwd`. Returns the child, its output so far (both streams, and stdout
 * alone), `waitFor(pattern, ms)` (output matching), `done` (resolves with the exit code) and `stop()`.
 */
export function start(command, args, { cwd, env = {} } = {}) {
  const child = spawn(command, args, { cwd, env: { ...userEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  let output = '';
  let stdout = '';
  const listeners = new Set();
  const onData = (chunk) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', (chunk) => {
    stdout += chunk.toString();
    onData(chunk);
  });
  child.stderr.on('data', onData);
  const done = new Promise((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      for (const listener of listeners) listener();
      resolve(code ?? signal);
    }),
  );
  const waitFor = (pattern, ms) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) return finish(() => resolve(match));
        if (!running.has(child))
          return finish(() => reject(new Error(`${command} ${args.join(' ')} ended before printing ${pattern}:\n${output}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`${command} ${args.join(' ')} did not print ${pattern} in ${ms / 1000}s:\n${output}`))),
        ms,
      );
      const finish = (settle) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });
  const stop = async (signal = 'SIGTERM') => {
    if (running.has(child)) process.kill(-child.pid, signal);
    return done;
  };
  return { child, output: () => output, stdout: () => stdout, waitFor, done, stop };
}

/** Runs `command args` in `cwd` to the end within `timeoutMs`; rejects with its output if it fails. */
export async function exec(command, args, { cwd, env = {}, timeoutMs = 120_000, allowFailure = false } = {}) {
  const started = start(command, args, { cwd, env });
  const timer = setTimeout(() => started.stop('SIGKILL'), timeoutMs);
  const code = await started.done;
  clearTimeout(timer);
  const result = { code, output: started.output(), stdout: started.stdout() };
  if (code !== 0 && !allowFailure) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${code}:\n${result.output}`);
  return result;
}

/** Stops every process started here that is still running (and its children). */
export async function stopAll() {
  await Promise.all(
    [...running].map((child) => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('close', resolve)));
    }),
  );
}

/** Runs `task` over `items`, at most `limit` at a time. */
export async function inPool(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i], i);
      }
    }),
  );
  return results;
}
