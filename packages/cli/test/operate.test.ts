import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadFixtures } from '@lgx/testkit';
import { API_KEY } from '../../adapters/template/test/example-waste-simulator';
import { lgx, REPO_ROOT, useWasteStack } from './helpers';

const ctx = useWasteStack();

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data as { uprn: string };
const env = { EXAMPLE_WASTE_KEY: API_KEY };
const modeOf = (file: string): string => (statSync(file).mode & 0o777).toString(8);


/** Sends a missed collection through `lgx send`; resolves its transaction id. */
async function send(body: unknown = { type: 'waste.missedCollection', data: missed }): Promise<{ id: string; code: number | null }> {
  const file = path.join(ctx.dir, `tx-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(body));
  const sent = await lgx(['send', ctx.stackFile, file, '--data', ctx.data, '--wait', '10'], { env });
  const id = /accepted: ([0-9a-f-]{36})/.exec(sent.stdout)?.[1];
  if (!id) throw new Error(`send failed: ${sent.stdout}\n${sent.stderr}`);
  return { id, code: sent.code };
}

/** Starts `lgx serve` on a free port; resolves its URL once it listens. */
async function serve(): Promise<{ url: string; child: ChildProcess; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'packages/cli/dist/cli.js'), 'serve', ctx.stackFile, '--port', '0', '--data', ctx.data, '--poll', '1'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    void closed.then(() => reject(new Error(`serve exited: ${out}`)));
  });
  return {
    url,
    child,
    stop: () => {
      child.kill('SIGTERM');
      return closed;
    },
  };
}

describe('the data folder', () => {
  it('is created owner-only (0700), with the database files 0600 (-wal and -shm while the gateway runs)', async () => {
    const server = await serve();
    try {
      expect(modeOf(ctx.data)).toBe('700');
      expect(['lgx.db', 'lgx.db-wal', 'lgx.db-shm'].map((f) => modeOf(path.join(ctx.data, f)))).toEqual(['600', '600', '600']);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    await lgx(['keys', 'create', '--stack', ctx.stackFile, '--data', ctx.data, '--council', 'E07000223', '--json'], { env });
    expect(modeOf(path.join(ctx.data, 'keys.json'))).toBe('600');
  }, 60_000);

  it('is tightened when it already exists open to others, and says so; the database keeps its data', async () => {
    const { id } = await send();
    chmodSync(ctx.data, 0o755);
    chmodSync(path.join(ctx.data, 'lgx.db'), 0o644);
    const status = await lgx(['status', id, '--data', ctx.data]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('delivered');
    expect(status.stderr).toContain(`note: data folder ${ctx.data} was open to other users (0755); it is now 0700, owner only`);
    expect([modeOf(ctx.data), modeOf(path.join(ctx.data, 'lgx.db'))]).toEqual(['700', '600']);
    // Once tight, nothing more is said.
    expect((await lgx(['status', id, '--data', ctx.data])).stderr).toBe('');
  });

  it('keys create makes a new data folder owner-only too', async () => {
    const fresh = path.join(ctx.dir, 'fresh', 'data');
    mkdirSync(path.dirname(fresh));
    expect((await lgx(['keys', 'create', '--stack', ctx.stackFile, '--data', fresh, '--council', 'E07000223'], { env })).code).toBe(0);
    expect([modeOf(fresh), modeOf(path.join(fresh, 'keys.json'))]).toEqual(['700', '600']);
  });
});
