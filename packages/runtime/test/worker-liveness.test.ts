import { deadWorkers, hostIdentity, processAlive } from '../src/engine/worker-liveness';
import type { WorkerRecord } from '../src/store/store-types';

const now = new Date('2026-03-02T09:00:10.000Z');
const self = { id: 'worker-self', host: 'node-1/boot-a/pid:[4026531836]', pid: 100 };

function worker(id: string, overrides: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    id,
    host: self.host,
    pid: 200,
    leaseMs: 15_000,
    startedAt: '2026-03-02T09:00:00.000Z',
    heartbeatAt: '2026-03-02T09:00:05.000Z',
    ...overrides,
  };
}

describe('deadWorkers', () => {
  const alive = new Set([100, 200]);
  const isAlive = (pid: number) => alive.has(pid);

  it('finds a worker on this host whose process has gone, at once', () => {
    expect(deadWorkers([worker('a'), worker('b', { pid: 300 })], self, now, isAlive).map((w) => w.id)).toEqual(['b']);
  });

  it('finds a worker on this host whose process id is now this process', () => {
    expect(deadWorkers([worker('reused', { pid: 100 })], self, now, isAlive).map((w) => w.id)).toEqual(['reused']);
  });

  it('never checks process ids of another host, or when this host cannot be told apart', () => {
    expect(deadWorkers([worker('elsewhere', { host: 'node-2/boot-b/pid:[1]', pid: 300 })], self, now, isAlive)).toEqual([]);
    expect(deadWorkers([worker('unknown', { host: '', pid: 300 })], { ...self, host: '' }, now, isAlive)).toEqual([]);
  });

  it('finds any worker silent for longer than its lease, and never itself', () => {
    const silent = worker('silent', { host: 'node-2/boot-b/pid:[1]', heartbeatAt: '2026-03-02T08:59:54.999Z' });
    const recent = worker('recent', { host: 'node-2/boot-b/pid:[1]', heartbeatAt: '2026-03-02T08:59:55.000Z' });
    expect(
      deadWorkers([silent, recent, worker(self.id, { pid: 999, heartbeatAt: '2026-03-01T00:00:00.000Z' })], self, now, isAlive).map(
        (w) => w.id,
      ),
    ).toEqual(['silent']);
  });
});

describe('hostIdentity and processAlive', () => {
  it('tells this process apart by machine boot and PID namespace on Linux, and sees processes come and go', () => {
    if (process.platform === 'linux') expect(hostIdentity()).toMatch(/^.+\/[0-9a-f-]{36}\/pid:\[\d+\]$/);
    else expect(hostIdentity()).toBe('');
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12_345)).toBe(false);
  });
});
