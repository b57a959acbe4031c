import type { PollResult } from '@lgx/core';
import { startSalesforceSimulator, type SalesforceSimulator, type SalesforceSimulatorOptions } from '../src/testing';
import { caseFixture, caseTx, salesforce, signal, type SalesforceInstance } from './helpers';

/** One clock for the org and the adapter, moved by the test. */
let t = 0;
const clock = { now: () => new Date(t) };
let sim: SalesforceSimulator | undefined;

async function org(options: SalesforceSimulatorOptions = {}) {
  t = Date.parse('2026-05-12T10:00:30Z');
  sim = await startSalesforceSimulator({ now: () => t, ...options });
  return sim;
}
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const poll = (a: SalesforceInstance, cursor?: string): Promise<PollResult> => a.pollUpdates!(cursor, { signal: signal() });
const summary = (r: PollResult) => r.updates.map((u) => [u.externalRef, u.status, u.externalStatusCode]);
const windows = (s: SalesforceSimulator) => s.requests.filter((r) => r.path.endsWith('/updated/')).map((r) => [r.query.start, r.query.end]);
const cursorStart = (r: PollResult) => (JSON.parse(Buffer.from(r.cursor, 'base64url').toString()) as { start: string }).start;

it('reports each status change once, with its transaction id; not new Cases, other edits, or Cases LGX did not send', async () => {
  const s = await org();
  const { a } = await salesforce(s, {}, clock);
  const first = await poll(a);
  expect(first.updates).toEqual([]);
  const tx = caseTx(caseFixture('anonymous-staff-case'));
  const { externalRef } = await a.submit!(tx, { signal: signal() });
  t += 5_000;
  const quiet = await poll(a, first.cursor);
  expect(quiet.updates).toEqual([]);
  s.updateCase(externalRef, { Subject: 'retitled' });
  const other = s.insertCase({ Subject: 'phoned in' });
  s.setCaseStatus(other, 'Working');
  t += 5_000;
  const edited = await poll(a, quiet.cursor);
  expect(edited.updates).toEqual([]);
  s.setCaseStatus(externalRef, 'Working');
  t += 20_000;
  const working = await poll(a, edited.cursor);
  expect(working.updates).toEqual([
    {
      externalRef,
      transactionId: tx.id,
      status: 'in_progress',
      externalStatusCode: 'Working',
      updatedAt: new Date(t - 20_000).toISOString(),
      updateId: `Working@${new Date(t - 20_000).toISOString()}`,
      source: 'salesforce',
    },
  ]);
  // Windows overlap by a minute, since getUpdated ignores seconds: the same change is not reported again.
  t += 50_000;
  expect((await poll(a, working.cursor)).updates).toEqual([]);
  s.setCaseStatus(externalRef, 'Closed');
  t += 1_000;
  expect(summary(await poll(a, working.cursor))).toEqual([[externalRef, 'closed', 'Closed']]);
  // Every window started a whole minute before the one it followed, or at it, and ended now.
  for (const [start, end] of windows(s)) expect(Date.parse(String(end)) - Date.parse(String(start))).toBeGreaterThanOrEqual(60_000);
});

it('where a window leaves out its last minute, the change comes on a later poll, once', async () => {
  const s = await org({ updatedEnd: 'exclusive' });
  const { a } = await salesforce(s, {}, clock);
  const first = await poll(a);
  const { externalRef } = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
  t += 2_000;
  s.setCaseStatus(externalRef, 'Escalated');
  t += 2_000;
  const same = await poll(a, first.cursor);
  expect(same.updates).toEqual([]);
  t += 60_000;
  const later = await poll(a, same.cursor);
  expect(summary(later)).toEqual([[externalRef, 'in_progress', 'Escalated']]);
  t += 60_000;
  expect((await poll(a, later.cursor)).updates).toEqual([]);
});

it('the next window starts at latestDateCovered: a long transaction still running holds it back', async () => {
  const s = await org();
  const { a } = await salesforce(s, {}, clock);
  const first = await poll(a);
  s.setLongRunningTransaction(t - 10 * 60_000);
  t += 60_000;
  const held = await poll(a, first.cursor);
  expect(cursorStart(held)).toBe('2026-05-12T09:50:00.000Z');
  s.setLongRunningTransaction(null);
  t += 60_000;
  const next = await poll(a, held.cursor);
  expect(windows(s).at(-1)![0]).toBe('2026-05-12T09:50:00+00:00');
  expect(cursorStart(next)).toBe('2026-05-12T10:02:00.000Z');
});

it('a cursor far behind catches up an hour a poll, and never asks for more than 30 days back', async () => {
  const s = await org();
  const { a, logs } = await salesforce(s, {}, clock);
  const first = await poll(a);
  t += 5 * 3600_000;
  const hour = await poll(a, first.cursor);
  const [start, end] = windows(s).at(-1)!;
  expect(Date.parse(String(end)) - Date.parse(String(start))).toBe(3600_000);
  expect(Date.parse(cursorStart(hour))).toBe(Date.parse(String(end)));
  t += 40 * 24 * 3600_000;
  await poll(a, hour.cursor);
  expect(Date.parse(String(windows(s).at(-1)![0]))).toBeGreaterThan(t - 30 * 24 * 3600_000);
  expect(logs.map((l) => l.msg)).toContain(
    'the poll cursor is older than the 30 days getUpdated answers for: changes before then are not read',
  );
});

it('fetches changed Cases 2000 at a time and reports every change', async () => {
  const s = await org();
  const { a } = await salesforce(s, {}, clock);
  const first = await poll(a);
  const ids: string[] = [];
  for (let i = 0; i < 2100; i++) ids.push(s.insertCase({ Subject: `bulk ${i}`, LGX_Transaction_Id__c: `bulk-${i}` }));
  t += 1_000;
  for (const id of ids) s.setCaseStatus(id, 'Working');
  t += 1_000;
  const r = await poll(a, first.cursor);
  expect(r.updates).toHaveLength(2100);
  expect(
    s.requests.filter((q) => q.path.endsWith('/composite/sobjects/Case')).map((q) => (JSON.parse(q.body) as { ids: string[] }).ids.length),
  ).toEqual([2000, 100]);
});

it('an unreadable cursor starts again from now instead of failing', async () => {
  const s = await org();
  const { a, logs } = await salesforce(s, {}, clock);
  const r = await poll(a, 'not a cursor!');
  expect(r.updates).toEqual([]);
  expect(logs.map((l) => l.msg)).toContain('unreadable pollUpdates cursor: starting again from now');
});
