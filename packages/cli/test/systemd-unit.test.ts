import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './helpers';

const UNIT_FILE = path.join(REPO_ROOT, 'packages', 'cli', 'deploy', 'lgx.service');
const unit = readFileSync(UNIT_FILE, 'utf8');

/** The unit as sections of key -> values (a key may repeat); comments and blank lines dropped. */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      current = sections[header[1]!] = {};
      continue;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!pair || !current) throw new Error(`not a unit line: ${line}`);
    (current[pair[1]!] ??= []).push(pair[2]!);
  }
  return sections;
}

const hasSystemd = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('the systemd unit lgx ships', () => {
  const { Unit, Service, Install } = parseUnit(unit);
  const one = (key: string): string | undefined => Service?.[key]?.[0];

  it('is the one the run-a-gateway guide shows, word for word', () => {
    const guide = readFileSync(path.join(REPO_ROOT, 'docs', 'guides', 'run-a-gateway.md'), 'utf8');
    const block = /```ini\n(# \/etc\/systemd\/system\/lgx\.service[\s\S]*?)```/.exec(guide)?.[1];
    expect(block).toBe(unit);
    expect(JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages', 'cli', 'package.json'), 'utf8')).files).toContain('deploy');
  });

  it('starts after the network, runs the installed lgx as its own user, and restarts after a failure', () => {
    expect(Unit?.After).toEqual(['network-online.target']);
    expect(Install?.WantedBy).toEqual(['multi-user.target']);
    expect([one('User'), one('Group')]).toEqual(['lgx', 'lgx']);
    const exec = one('ExecStart')!;
    expect(exec).toMatch(/^\/\S+\/lgx serve /);
    expect(exec).not.toContain('npx');
    expect(exec).toContain('--data /var/lib/lgx');
    expect(one('WorkingDirectory')).toMatch(/^\//);
    expect(one('EnvironmentFile')).toMatch(/^\/etc\/lgx\//);
    expect([one('Restart'), one('KillSignal'), one('UMask')]).toEqual(['on-failure', 'SIGTERM', '0077']);
    // lgx serve gives deliveries in flight 10 s to finish: systemd must wait longer before SIGKILL.
    expect(Number(one('TimeoutStopSec'))).toBeGreaterThan(10);
  });

  it('is hardened: no privileges, a read-only system but for the data folder, TCP/IP only', () => {
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['ReadWritePaths', '/var/lib/lgx'],
      ['CapabilityBoundingSet', ''],
      ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
    ]) {
      expect([key, one(key!)]).toEqual([key, value]);
    }
    // Node.js compiles to machine code at run time: this setting would stop it from starting.
    expect(one('MemoryDenyWriteExecute')).toBeUndefined();
  });

  (hasSystemd ? it : it.skip)('passes systemd-analyze verify without a warning', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-unit-'));
    try {
      // verify checks that ExecStart's program exists: point it at this Node.js, keeping the arguments.
      const file = path.join(dir, 'lgx.service');
      writeFileSync(file, unit.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
      const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
      expect([result.status, result.stderr]).toEqual([0, '']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
