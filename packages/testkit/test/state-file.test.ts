import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { reply, startRestSimulator } from '../src/simulators/rest-simulator';
import { openStateFile } from '../src/simulators/state-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openStateFile', () => {
  it('round-trips Maps, Sets and nested objects, and keeps look-alike keys as data', async () => {
    const file = openStateFile<Record<string, unknown>>(dir, 'acme');
    expect(file.load()).toBeUndefined();
    const state = {
      cases: new Map([['C-1', { id: 'C-1', tags: new Set(['a', 'b']), note: undefined }]]),
      byKey: new Map([[7, 'C-1']]),
      sent: { $map: 'not a map' },
      list: [1, 'two', null],
    };
    await file.save(state);
    const loaded = openStateFile<typeof state>(dir, 'acme').load()!;
    expect(loaded.cases).toBeInstanceOf(Map);
    expect(loaded.cases.get('C-1')!.tags).toEqual(new Set(['a', 'b']));
    expect(loaded.cases.get('C-1')).not.toHaveProperty('note');
    expect(loaded.byKey.get(7)).toBe('C-1');
    expect(loaded.sent).toEqual({ $map: 'not a map' });
    expect(loaded.list).toEqual([1, 'two', null]);
  });

  it('never lets a saved __proto__ key reach an object prototype', async () => {
    const file = openStateFile<{ attributes: Record<string, string> }>(dir, 'acme');
    writeFileSync(
      file.path,
      JSON.stringify({ format: 1, simulator: 'acme', state: JSON.parse('{"attributes": {"__proto__": {"polluted": "yes"}}}') }),
    );
    const loaded = file.load()!;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(loaded.attributes)).toBe(Object.prototype);
    expect(Object.keys(loaded.attributes)).toEqual(['__proto__']);
  });

  it('writes only for its owner, leaves no temporary file, and refuses another file clearly', async () => {
    const nested = path.join(dir, 'sims');
    const file = openStateFile<{ n: number }>(nested, 'acme');
    await file.save({ n: 1 });
    expect(statSync(nested).mode & 0o777).toBe(0o700);
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    expect(readdirSync(nested)).toEqual(['acme.json']);
    expect(() => openStateFile(nested, 'other').load()).not.toThrow();
    writeFileSync(path.join(nested, 'other.json'), readFileSync(file.path));
    expect(() => openStateFile(nested, 'other').load()).toThrow(/holds the state of simulator 'acme', not 'other'/);
    writeFileSync(file.path, '{"format": 1, "simulator": "acme", "sta');
    expect(() => file.load()).toThrow(/is not a simulator state file/);
    expect(() => openStateFile(nested, '../escape')).toThrow(/lower-case letters, digits and hyphens/);
  });

  it('saves called together share writes, and each resolves once its state is on disk', async () => {
    const file = openStateFile<{ n: number }>(dir, 'acme');
    const saves = Array.from({ length: 50 }, (_, n) =>
      file.save({ n }).then(() => (JSON.parse(readFileSync(file.path, 'utf8')) as { state: { n: number } }).state.n),
    );
    const seen = await Promise.all(saves);
    seen.forEach((onDisk, n) => expect(onDisk).toBeGreaterThanOrEqual(n));
    await file.flush();
    expect(file.load()).toEqual({ n: 49 });
  });

  it('reports a failed write to the caller and to flush, and leaves no temporary file', async () => {
    const file = openStateFile<{ n: number }>(dir, 'acme');
    // A folder where the file should be: the rename over it fails.
    mkdirSync(file.path);
    writeFileSync(path.join(file.path, 'keep'), 'x');
    await expect(file.save({ n: 1 })).rejects.toThrow();
    await expect(file.flush()).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['acme.json']);
  });
});

describe('a REST simulator with a stateDir', () => {
  interface State {
    cases: Map<string, { id: string; status: string }>;
    next: number;
    polls: number;
  }
  const start = (stateDir: string, port?: number) =>
    startRestSimulator<State>({
      name: 'acme',
      stateDir,
      ...(port !== undefined ? { port } : {}),
      state: () => ({ cases: new Map(), next: 0, polls: 0 }),
      routes: [
        {
          method: 'POST',
          path: '/cases',
          handler: (_req, { state }) => {
            const id = `C-${++state.next}`;
            state.cases.set(id, { id, status: 'open' });
            return reply(201, { id });
          },
        },
        {
          method: 'GET',
          path: '/cases/:id',
          handler: (req, { state }) => (state.cases.has(req.params.id!) ? reply(200, state.cases.get(req.params.id!)) : reply(404)),
        },
        {
          method: 'GET',
          path: '/poll',
          changesState: true,
          handler: (_req, { state }) => reply(200, { polls: ++state.polls }),
        },
      ],
    });

  it('continues its numbering after a restart, still answers for earlier records, and saves before it answers', async () => {
    const first = await start(dir);
    const created = await fetch(`${first.url}/cases`, { method: 'POST' });
    expect(await created.json()).toEqual({ id: 'C-1' });
    // The answer has arrived: the record is on disk already.
    expect(readFileSync(first.stateFile!, 'utf8')).toContain('C-1');
    await first.close();

    const second = await start(dir);
    expect(second.state.cases).toBeInstanceOf(Map);
    expect(await (await fetch(`${second.url}/cases/C-1`)).json()).toEqual({ id: 'C-1', status: 'open' });
    expect(await (await fetch(`${second.url}/cases`, { method: 'POST' })).json()).toEqual({ id: 'C-2' });
    // A helper's change outside a request is saved when it asks, and close waits for it.
    second.state.cases.get('C-1')!.status = 'closed';
    void second.saveState();
    await second.close();

    const third = await start(dir);
    expect(await (await fetch(`${third.url}/cases/C-1`)).json()).toEqual({ id: 'C-1', status: 'closed' });
    await third.close();
  });

  it('does not write for reads, unless the route says it changes the state', async () => {
    const sim = await start(dir);
    await fetch(`${sim.url}/cases/C-9`);
    expect(existsSync(sim.stateFile!)).toBe(false);
    await fetch(`${sim.url}/poll`);
    await sim.close();
    const again = await start(dir);
    expect(await (await fetch(`${again.url}/poll`)).json()).toEqual({ polls: 2 });
    await again.close();
  });

  it('refuses a port in use with its error code instead of crashing', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    await expect(start(dir, port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await new Promise((resolve) => taken.close(resolve));
  });
});
