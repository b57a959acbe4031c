import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'cli.js');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `lgx` binary as a user would, with a deadline. */
export function lgx(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lgx ${args.join(' ')} did not finish in time\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A scratch folder inside the repository, so packages installed there (node_modules) resolve. */
export function scratch(): string {
  return mkdtempSync(path.join(__dirname, '.tmp-'));
}

/** The tests' stack: one Example Waste adapter, its key from EXAMPLE_WASTE_KEY, and one route to it. */
function writeWasteStack(file: string, baseUrl: string): void {
  writeFileSync(
    file,
    [
      'council: E07000223',
      'adapters:',
      '  waste:',
      "    package: '@lgx/adapter-template'",
      '    config:',
      `      baseUrl: ${baseUrl}`,
      '      apiKey: ${env:EXAMPLE_WASTE_KEY}',
      'routes:',
      '  - { match: { type: waste.missedCollection }, mode: one, targets: [waste] }',
      '',
    ].join('\n'),
  );
}

/** What a test file's stack gives each test: set afresh before every test. */
export interface WasteStack {
  sim: ExampleWasteSimulator;
  /** A scratch folder holding the stack file; removed after the test. */
  dir: string;
  stackFile: string;
  /** The data folder (not created). */
  data: string;
}

/**
 * Registers the hooks that run an Example Waste simulator for the test file and write a stack for it
 * in a new scratch folder before each test.
 */
export function useWasteStack(): WasteStack {
  const ctx = {} as WasteStack;
  beforeAll(async () => {
    ctx.sim = await startExampleWasteSimulator();
  });
  afterAll(() => ctx.sim.close());
  beforeEach(() => {
    ctx.sim.reset();
    ctx.dir = scratch();
    ctx.data = path.join(ctx.dir, 'data');
    ctx.stackFile = path.join(ctx.dir, 'lgx.yaml');
    writeWasteStack(ctx.stackFile, ctx.sim.url);
  });
  afterEach(() => rmSync(ctx.dir, { recursive: true, force: true }));
  return ctx;
}

/** A long-running `lgx` (serve, simulate) started as a user would, in its own process. */
export interface RunningLgx {
  child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** The exit code once the process has gone (null after a signal it did not handle). */
  readonly exited: Promise<number | null>;
  /** Resolves once stdout matches `pattern` (with the match); rejects if the process exits first or the deadline passes. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (default SIGTERM) unless it has exited, and resolves the exit code; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export function startLgx(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): RunningLgx {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve((exitCode = code))));
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: async (pattern, timeoutMs = 60_000) => {
      for (const until = Date.now() + timeoutMs; Date.now() < until;) {
        const match = pattern.exec(out);
        if (match) return match;
        if (exitCode !== undefined)
          throw new Error(`lgx ${args.join(' ')} exited (${exitCode}) before printing ${pattern}\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`lgx ${args.join(' ')} did not print ${pattern} in time\n${out}\n${err}`);
    },
    stop: async (signal = 'SIGTERM', timeoutMs = 30_000) => {
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** `lgx serve` in its own process, with the URL it listens on. */
export type Served = RunningLgx & { url: string };

/** Starts the built `lgx serve` (on a free port unless `args` name one) and resolves once it listens. */
export async function serveLgx(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Served> {
  const served = startLgx(['serve', ...(args.includes('--port') ? [] : ['--port', '0']), ...args], options);
  const [, url] = await served.waitFor(/on (http:\/\/127\.0\.0\.1:\d+)/);
  return Object.assign(served, { url: url! });
}

/**
 * A scratch folder with a stack file routing missed collections to the Example Waste back office at
 * `simUrl` (its key read from EXAMPLE_WASTE_KEY), a data folder, and a submit+read key for it.
 */
export async function wasteServeFolder(
  simUrl: string,
  env: Record<string, string>,
): Promise<{ dir: string; data: string; stackFile: string; key: string }> {
  const dir = scratch();
  const data = path.join(dir, 'data');
  const stackFile = path.join(dir, 'lgx.yaml');
  writeFileSync(
    stackFile,
    [
      'council: E07000223',
      'adapters:',
      '  waste:',
      "    package: '@lgx/adapter-template'",
      '    config:',
      `      baseUrl: ${simUrl}`,
      '      apiKey: ${env:EXAMPLE_WASTE_KEY}',
      'routes:',
      '  - { match: { type: waste.missedCollection }, mode: one, targets: [waste] }',
      '',
    ].join('\n'),
  );
  const created = await lgx(['keys', 'create', '--stack', stackFile, '--data', data, '--council', 'E07000223', '--json'], { env });
  if (created.code !== 0) throw new Error(`keys create failed: ${created.stderr}`);
  return { dir, data, stackFile, key: (JSON.parse(created.stdout) as { key: string }).key };
}

/**
 * A council's stack for a folder of stacks: missed collections to the Example Waste back office at
 * `simUrl` (its key from EXAMPLE_WASTE_KEY), with an Open311 service for them; `extra` lines go into
 * the adapter's config.
 */
export function councilStackText(council: string, simUrl: string, extra: string[] = []): string {
  return [
    `council: ${council}`,
    'adapters:',
    '  waste:',
    "    package: '@lgx/adapter-template'",
    '    config:',
    `      baseUrl: ${simUrl}`,
    '      apiKey: ${env:EXAMPLE_WASTE_KEY}',
    ...extra,
    'routes:',
    '  - { match: { type: waste.missedCollection }, mode: one, targets: [waste] }',
    'open311:',
    `  contact: Council ${council}`,
    '  services:',
    '    - code: MISSED_REFUSE',
    '      name: Missed refuse collection',
    '      type: waste.missedCollection',
    '      service: refuse',
    '      attributes:',
    '        - { code: uprn, description: Property UPRN, datatype: string, required: true, field: uprn }',
    '        - { code: collection_date, description: Missed collection, datatype: datetime, required: true, field: scheduledDate }',
    '',
  ].join('\n');
}
