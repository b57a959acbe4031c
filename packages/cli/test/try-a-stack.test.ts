import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { lgx, REPO_ROOT, scratch, startLgx, type RunningLgx } from './helpers';

/**
 * docs/guides/try-a-stack.md, followed step by step: the commands are read from the guide's `sh`
 * blocks, so the guide cannot drift from what works. A block that starts `# terminal N` is typed in
 * terminal N (each terminal keeps its own exports; `lgx simulate` and `lgx serve` stay running there
 * until Ctrl-C, sent as SIGINT); other blocks are the install, which the packaging test covers
 * (here the built lgx runs from the repository). The one change made to the commands: services
 * listen on free ports (--port 0), and a restarted simulator on the port it had.
 */
const GUIDE = path.join(REPO_ROOT, 'docs', 'guides', 'try-a-stack.md');

interface Step {
  terminal: number;
  line: string;
}

function readGuide(): { setup: string[]; steps: Step[] } {
  const text = readFileSync(GUIDE, 'utf8');
  const setup: string[] = [];
  const steps: Step[] = [];
  for (const block of text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const lines = block[1]!
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const terminal = /^# terminal (\d+)\b/.exec(lines[0] ?? '');
    const commands = lines.filter((l) => !l.startsWith('#'));
    if (terminal) steps.push(...commands.map((line) => ({ terminal: Number(terminal[1]), line })));
    else setup.push(...commands);
  }
  return { setup, steps };
}

/** Services that stay up until stopped, and what they print once they are ready. */
const LONG_RUNNING: Record<string, RegExp> = { simulate: /^ready: /m, serve: /lgx gateway for council \S+ on (http:\/\/\S+)/ };

let dir: string;
const running = new Map<number, RunningLgx>();
beforeEach(() => {
  dir = scratch();
});
afterEach(async () => {
  for (const service of running.values()) await service.stop('SIGKILL');
  running.clear();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/guides/try-a-stack.md', () => {
  it('installs lgx with npm or from a clone, and nothing else', () => {
    const { setup } = readGuide();
    expect(setup).toEqual(expect.arrayContaining(['npm install @lgx/cli']));
    for (const line of setup) expect(line).toMatch(/^(mkdir|cd|npm|git) /);
  });

  it('takes a newcomer from nothing to a delivered transaction and a status update, with lgx commands only', async () => {
    const { steps } = readGuide();
    const env = new Map<number, Record<string, string>>();
    const references: string[] = [];
    let lastId: string | undefined;
    let apiKey: string | undefined;
    let gateway: string | undefined;
    let simulatorPort: string | undefined;
    let sawStatus = false;

    for (const { terminal, line } of steps) {
      const shell = env.get(terminal) ?? {};
      env.set(terminal, shell);
      const exported = /^export ([A-Z_][A-Z0-9_]*)=(\S+)$/.exec(line);
      if (exported) {
        shell[exported[1]!] = exported[2]!;
        continue;
      }
      expect(line).toMatch(/^npx lgx /);
      const args = line
        .replace(/^npx lgx /, '')
        .replace('<id>', lastId ?? '<id>')
        .split(/\s+/);
      const command = args[0]!;

      if (LONG_RUNNING[command]) {
        const previous = running.get(terminal);
        if (previous) {
          // Ctrl-C
          expect(await previous.stop('SIGINT')).toBe(0);
          running.delete(terminal);
        }
        const port = command === 'simulate' && simulatorPort ? simulatorPort : '0';
        const service = startLgx([...args, '--port', port], { cwd: dir, env: shell });
        running.set(terminal, service);
        const ready = await service.waitFor(LONG_RUNNING[command]!);
        if (command === 'serve') gateway = ready[1];
        if (command === 'simulate') simulatorPort ??= /http:\/\/127\.0\.0\.1:(\d+)/.exec(service.stdout())![1];
        continue;
      }

      let result = await lgx(args, { cwd: dir, env: shell });
      if (command === 'status') {
        // The guide says to ask again if the update has not come back yet: the gateway polls every 5 s.
        for (let tries = 0; tries < 30 && !/open311\s+open\s+RECEIVED/.test(result.stdout); tries++) {
          await new Promise((r) => setTimeout(r, 1000));
          result = await lgx(args, { cwd: dir, env: shell });
        }
        expect(result.stdout).toMatch(/open311\s+open\s+RECEIVED\s+1001/);
        sawStatus = true;
      }
      expect({ line, code: result.code, stderr: result.stderr }).toEqual({ line, code: 0, stderr: expect.any(String) });
      if (command === 'validate') expect(result.stdout).toContain('lgx.yaml: valid (council E07000223, 1 adapter(s), 2 route(s))');
      if (command === 'keys') apiKey = /^(lgx_\S+)$/m.exec(result.stdout)?.[1];
      if (command === 'send') {
        expect(result.stdout).toMatch(/^delivered$/m);
        lastId = /^accepted: (\S+)$/m.exec(result.stdout)![1];
        references.push(/reference (\S+)/.exec(result.stdout)![1]!);
      }
    }

    // What the guide promises along the way.
    expect(references).toEqual(['1001', '1002']);
    expect(sawStatus).toBe(true);
    // The key from `lgx keys create` is what a channel sends to the gateway.
    const read = await fetch(`${gateway}/v1/transactions/${lastId}`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(read.status).toBe(200);
    // Ctrl-C in terminals 1 and 2: both stop cleanly.
    for (const [terminal, service] of running) {
      expect(await service.stop('SIGINT')).toBe(0);
      running.delete(terminal);
    }
  }, 300_000);
});
