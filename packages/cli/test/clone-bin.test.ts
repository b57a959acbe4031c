import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, type Ran } from './helpers';

// In a clone, `npm ci` links `lgx` before anything is built; the README and guides then say `npx lgx`.
function npx(args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    // Without npm's own variables, as a user's shell runs it from the clone's root.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
    const child = spawn('npx', ['--no-install', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npx lgx in a clone of the repository', () => {
  it('is linked by the install to the launcher that exists before a build', () => {
    const linked = path.join(REPO_ROOT, 'node_modules', '.bin', 'lgx');
    expect(existsSync(linked)).toBe(true);
    expect(realpathSync(linked)).toBe(path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'lgx.js'));
  });

  it('runs the built command', async () => {
    const help = await npx(['lgx', '--help']);
    expect([help.code, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^lgx \d+\.\d+\.\d+: run and operate a council's LGX stack/);
  }, 60_000);
});
