import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** `lgx serve` running as a user would start it; resolves once it prints the URL it listens on. */
export async function startServe(args: string[], options: { env?: Record<string, string> } = {}): Promise<{ url: string; stderr: () => string; stop(signal?: NodeJS.Signals): Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('close', () => reject(new Error(`serve exited: ${out}\n${stderr}`)));
  });
  return {
    url,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return closed;
    },
  };
}

/**
 * A scratch folder with a stack file routing missed collections to the Example Waste back office at
 * `simUrl` (its key read from EXAMPLE_WASTE_KEY), a data folder, and a submit+read key for it.
 */
export async function wasteServeFolder(simUrl: string, env: Record<string, string>): Promise<{ dir: string; data: string; stackFile: string; key: string }> {
  const dir = scratch();
  const data = path.join(dir, 'data');
  const stackFile = path.join(dir, 'lgx.yaml');
  writeFileSync(
    stackFile,
    ['council: E07000223', 'adapters:', '  waste:', "    package: '@lgx/adapter-template'", '    config:', `      baseUrl: ${simUrl}`, '      apiKey: ${env:EXAMPLE_WASTE_KEY}', 'routes:', '  - { match: { type: waste.missedCollection }, mode: one, targets: [waste] }', ''].join('\n'),
  );
  const created = await lgx(['keys', 'create', '--stack', stackFile, '--data', data, '--council', 'E07000223', '--json'], { env });
  if (created.code !== 0) throw new Error(`keys create failed: ${created.stderr}`);
  return { dir, data, stackFile, key: (JSON.parse(created.stdout) as { key: string }).key };
}
