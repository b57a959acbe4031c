/**
 * A test's child process running a TypeScript fixture (tsx as a loader in that one process, not the
 * tsx CLI, so SIGKILL reaches the process that runs the code), with its stdout split into lines.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export interface Child {
  process: ChildProcessByStdio<Writable, Readable, Readable>;
  lines: string[];
  stderr: () => string;
  exited: Promise<void>;
  /** Resolves once the lines so far pass `test`; rejects if the child exits first, or after `ms`. */
  waitForLine(test: (lines: string[]) => boolean, what: string, ms?: number): Promise<void>;
  /** SIGKILL (unless it has exited), resolved once it is gone. */
  kill(): Promise<void>;
}

export function startChild(script: string, args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const parts = stdout.split('\n');
    stdout = parts.pop() ?? '';
    lines.push(...parts);
    for (const l of listeners) l();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A killed child cannot read its stdin; writes to it then fail, which is not the test's concern.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    process: child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine(test, what, ms = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (test(lines)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}; stderr: ${stderr}`));
        }, ms);
        const onExit = () => {
          cleanup();
          reject(new Error(`child exited (${String(child.exitCode)}, ${String(child.signalCode)}) before ${what}; stderr: ${stderr}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.on('exit', onExit);
        check();
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
