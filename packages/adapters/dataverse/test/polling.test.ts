import type { PollResult } from '@lgx/core';
import { startDataverseSimulator, type DataverseSimulator } from '../src/testing';
import { caseFixture, caseTx, dataverse, signal, type DataverseInstance } from './helpers';

let sim: DataverseSimulator;
beforeAll(async () => {
  sim = await startDataverseSimulator({ serviceProtection: null });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

async function submitCases(a: DataverseInstance, n: number): Promise<string[]> {
  const refs: string[] = [];
  for (let i = 0; i < n; i++) refs.push((await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() })).externalRef);
  return refs;
}

const poll = (a: DataverseInstance, cursor?: string): Promise<PollResult> => a.pollUpdates!(cursor, { signal: signal() });
const summary = (r: PollResult) => r.updates.map((u) => [u.externalRef, u.status, u.externalStatusCode]);
const cursorOf = (r: PollResult) =>
  JSON.parse(Buffer.from(r.cursor, 'base64url').toString('utf8')) as { mode: string; link?: string; last: Record<string, unknown> };

describe('pollUpdates with change tracking', () => {
  it('reports each status change once, with the transaction id; not new cases, other edits, or cases LGX did not send', async () => {
    const { a } = await dataverse(sim);
    const first = await poll(a);
    expect(first.updates).toEqual([]);
    expect(cursorOf(first)).toMatchObject({ mode: 'tracking', link: expect.stringContaining('$deltatoken=') });
    const t = caseTx(caseFixture('anonymous-staff-case'));
    const { externalRef } = await a.submit!(t, { signal: signal() });
    const quiet = await poll(a, first.cursor);
    expect(quiet.updates).toEqual([]);

    sim.updateIncident(externalRef, { title: 'retitled' });
    sim.state.incidents.set('00000000-0000-4000-8000-0000000000aa', {
      id: '00000000-0000-4000-8000-0000000000aa',
      version: ++sim.state.version,
      values: { statecode: 1, statuscode: 5, modifiedon: new Date().toISOString() },
    });
    const edited = await poll(a, quiet.cursor);
    expect(edited.updates).toEqual([]);

    sim.resolve(externalRef);
    const resolved = await poll(a, edited.cursor);
    expect(resolved.updates).toEqual([
      {
        externalRef,
        transactionId: t.id,
        status: 'fixed',
        externalStatusCode: '5',
        updatedAt: expect.any(String),
        updateId: expect.stringMatching(/^1\/5@/),
        source: 'dataverse',
      },
    ]);
    expect((await poll(a, resolved.cursor)).updates).toEqual([]);

    sim.setStatus(externalRef, 0, 1);
    sim.cancel(externalRef);
    expect(summary(await poll(a, resolved.cursor))).toEqual([[externalRef, 'cancelled', '6']]);
  });

  it('reports a deleted case it has seen as cancelled', async () => {
    const { a } = await dataverse(sim);
    const [ref] = await submitCases(a, 1);
    const first = await poll(a);
    sim.setStatus(ref!, 0, 2);
    const held = await poll(a, first.cursor);
    expect(summary(held)).toEqual([[ref, 'in_progress', '2']]);
    sim.deleteIncident(ref!);
    expect(summary(await poll(a, held.cursor))).toEqual([[ref, 'cancelled', 'deleted']]);
  });

  it('pages through a long read, the rest on the next poll, and loses nothing', async () => {
    const { a } = await dataverse(sim, { maxPageSize: 2 });
    const first = await poll(a);
    const refs = await submitCases(a, 45);
    for (const ref of refs) sim.resolve(ref);
    const seen = new Set<string>();
    let cursor = first.cursor;
    for (let i = 0; i < 5 && seen.size < refs.length; i++) {
      const r = await poll(a, cursor);
      for (const u of r.updates) {
        expect(seen.has(u.externalRef)).toBe(false);
        seen.add(u.externalRef);
      }
      cursor = r.cursor;
    }
    expect(seen.size).toBe(45);
    // 20 pages of 2 per poll: two polls are not enough for 45 cases, a third is.
    expect(sim.requests.filter((r) => r.method === 'GET').length).toBeGreaterThan(20);
  });

  it('an expired delta link reads the table again and reports what changed meanwhile, once', async () => {
    const { a, logs } = await dataverse(sim);
    const refs = await submitCases(a, 3);
    const first = await poll(a);
    sim.resolve(refs[0]!);
    sim.expireDeltaTokens();
    const again = await poll(a, first.cursor);
    expect(summary(again)).toEqual([[refs[0], 'fixed', '5']]);
    expect(logs.map((l) => l.msg)).toContain('delta link refused (expired?): reading the case table again');
    sim.setStatus(refs[1]!, 0, 4);
    const next = await poll(a, again.cursor);
    expect(summary(next)).toEqual([[refs[1], 'investigating', '4']]);
  });

  it('a cursor it cannot read, or one whose link leaves the Web API, starts a new read instead of failing or following it', async () => {
    const { a, logs } = await dataverse(sim);
    const forged = Buffer.from(
      JSON.stringify({
        v: 1,
        mode: 'tracking',
        link: 'https://attacker.example/api/data/v9.2/incidents',
        since: new Date().toISOString(),
        last: {},
      }),
    ).toString('base64url');
    for (const cursor of ['not a cursor!', forged]) {
      const r = await poll(a, cursor);
      expect(cursorOf(r).link).toContain(sim.apiUrl);
    }
    expect(logs.filter((l) => l.msg === 'unreadable pollUpdates cursor: starting a new read')).toHaveLength(2);
    expect(sim.requests.every((r) => r.path.startsWith('/api/data/'))).toBe(true);
  });
});

describe('pollUpdates without change tracking', () => {
  it('falls back to modifiedon queries when the table refuses change tracking, and reports changes once', async () => {
    const plain = await startDataverseSimulator({ changeTracking: false, serviceProtection: null });
    try {
      const { a, logs } = await dataverse(plain);
      const first = await poll(a);
      expect(cursorOf(first).mode).toBe('modified');
      expect(logs.map((l) => l.msg)).toContain('change tracking refused for the case table: polling by modifiedon instead');
      const [ref] = await submitCases(a, 1);
      const quiet = await poll(a, first.cursor);
      expect(quiet.updates).toEqual([]);
      plain.resolve(ref!);
      const resolved = await poll(a, quiet.cursor);
      expect(summary(resolved)).toEqual([[ref, 'fixed', '5']]);
      expect((await poll(a, resolved.cursor)).updates).toEqual([]);
      const query = plain.requests.filter((r) => r.method === 'GET' && typeof r.query.$filter === 'string').at(-1)!;
      expect(query.query.$filter).toMatch(/^lgx_transactionid ne null and modifiedon ge \d{4}-/);
    } finally {
      await plain.close();
    }
  });

  it('polls by modifiedon from the start when configured to', async () => {
    const { a } = await dataverse(sim, { changeTracking: false });
    const first = await poll(a);
    expect(cursorOf(first).mode).toBe('modified');
    expect(sim.requests.some((r) => String(r.headers.prefer ?? '').includes('track-changes'))).toBe(false);
  });
});
