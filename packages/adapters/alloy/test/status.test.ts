import { createTransaction } from '@lgx/core';
import { startAlloySimulator, MISSED, OPTIONS, REPORT, type AlloySimulator } from '../src/testing';
import { fixture, instance, rejection, signal, tx } from './helpers';

let sim: AlloySimulator;
beforeAll(async () => {
  sim = await startAlloySimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

type Instance = Awaited<ReturnType<typeof instance>>['a'];

async function report(a: Instance, name = 'street-light-by-asset'): Promise<string> {
  return (await a.submit!(tx('street.report', fixture('street.report', name)) as never, { signal: signal() })).externalRef;
}

describe('getStatus', () => {
  it("reads the status option through the council's mapping, with the note and the time of the last edit", async () => {
    const { a } = await instance(sim);
    const ref = await report(a);
    const edited = sim.setStatus(ref, OPTIONS.reportStatus.worksOrdered.itemId, 'Column replacement booked for Tuesday');
    const update = await a.getStatus!(ref, { signal: signal() });
    expect(update).toEqual({
      externalRef: ref,
      updateId: `${ref}:${edited.signature}`,
      status: 'action_scheduled',
      externalStatusCode: OPTIONS.reportStatus.worksOrdered.itemId,
      description: 'Column replacement booked for Tuesday',
      updatedAt: edited.lastEditDate,
      source: 'alloy',
    });
  });

  it('reports an option missing from the mapping as open, warning once', async () => {
    const { a, logs } = await instance(sim);
    const ref = await report(a);
    sim.setStatus(ref, OPTIONS.category.other.itemId);
    expect(await a.getStatus!(ref, { signal: signal() })).toMatchObject({
      status: 'open',
      externalStatusCode: OPTIONS.category.other.itemId,
    });
    await a.getStatus!(ref, { signal: signal() });
    expect(logs.filter((e) => e.msg.startsWith('Alloy status option not in status.map'))).toHaveLength(1);
  });

  it('uses the configured status for unmapped options', async () => {
    const { a } = await instance(sim, (c) => ({
      ...c,
      types: {
        ...c.types,
        'street.report': { ...c.types['street.report']!, status: { ...c.types['street.report']!.status, unmapped: 'for_triage' } },
      },
    }));
    const ref = await report(a);
    sim.setStatus(ref, OPTIONS.category.other.itemId);
    expect(await a.getStatus!(ref, { signal: signal() })).toMatchObject({ status: 'for_triage' });
  });

  it('answers notFound for an item Alloy does not have, never an invented status', async () => {
    const { a } = await instance(sim);
    await expect(a.getStatus!('0123456789abcdef01234567', { signal: signal() })).rejects.toMatchObject({
      classification: 'notFound',
      status: 404,
      vendorCode: 'ItemNotFound',
    });
  });

  it('stops when its signal is aborted', async () => {
    const { a } = await instance(sim);
    const ref = await report(a);
    sim.faults.failNext(5, { timeout: true });
    const controller = new AbortController();
    const pending = a.getStatus!(ref, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ classification: 'retryable' });
    sim.faults.clear();
  });
});

describe('pollUpdates', () => {
  it('reports each change made in Alloy once, across designs, and nothing when nothing changed', async () => {
    const { a } = await instance(sim);
    const start = await a.pollUpdates!(undefined, { signal: signal() });
    expect(start.updates).toEqual([]);
    const ref = await report(a);
    const missedRef = (
      await a.submit!(tx('waste.missedCollection', fixture('waste.missedCollection', 'recycling-bin-out-not-emptied')) as never, {
        signal: signal(),
      })
    ).externalRef;
    sim.setStatus(ref, OPTIONS.reportStatus.remedied.itemId, 'Lamp replaced');
    sim.setStatus(missedRef, OPTIONS.collectionStatus.returnScheduled.itemId, 'Crew back this afternoon');
    const first = await a.pollUpdates!(start.cursor, { signal: signal() });
    const byRef = new Map(first.updates.map((u) => [u.externalRef, u]));
    expect(byRef.get(ref)).toMatchObject({
      status: 'fixed',
      description: 'Lamp replaced',
      externalStatusCode: OPTIONS.reportStatus.remedied.itemId,
      updatedAt: sim.item(ref).lastEditDate,
    });
    expect(byRef.get(missedRef)).toMatchObject({ status: 'action_scheduled', description: 'Crew back this afternoon' });

    const again = await a.pollUpdates!(first.cursor, { signal: signal() });
    expect(again.updates).toEqual([]);

    sim.setStatus(missedRef, OPTIONS.collectionStatus.collected.itemId);
    const later = await a.pollUpdates!(again.cursor, { signal: signal() });
    expect(later.updates).toEqual([expect.objectContaining({ externalRef: missedRef, status: 'fixed' })]);
  });

  it('leaves out items officers raised in Alloy themselves (they carry no LGX id)', async () => {
    const { a } = await instance(sim);
    const start = await a.pollUpdates!(undefined, { signal: signal() });
    const ref = await report(a);
    // An officer's item: same design, no LGX transaction id.
    const item = sim.item(ref);
    const officers = { ...structuredClone(item), itemId: 'a'.repeat(24), attributes: { ...item.attributes } };
    delete officers.attributes[REPORT.lgxId];
    sim.state.items.set(officers.itemId, officers);
    const polled = await a.pollUpdates!(start.cursor, { signal: signal() });
    expect(polled.updates.map((u) => u.externalRef)).toEqual([ref]);
  });

  it('splits a busy window so one poll reads at most maxItems, and the next polls read the rest, each change once', async () => {
    let clock = Date.now() - 60_000;
    const { a } = await instance(sim, (c) => ({ ...c, poll: { maxItems: 10, pageSize: 4, itemLog: false } }), {
      now: () => new Date(clock),
    });
    const start = await a.pollUpdates!(undefined, { signal: signal() });
    const refs: string[] = [];
    for (let i = 0; i < 30; i++)
      refs.push(
        (
          await a.submit!(
            createTransaction('waste.missedCollection', fixture('waste.missedCollection', 'recycling-bin-out-not-emptied') as never, {
              council: 'E07000223',
              idempotencyKey: `busy-${i}`,
            }) as never,
            { signal: signal() },
          )
        ).externalRef,
      );
    // Thirty edits spread over the minute since the first poll.
    clock = Date.now();
    refs.forEach((ref, i) => void (sim.item(ref).lastEditDate = new Date(clock - 58_000 + i * 1900).toISOString()));
    let cursor = start.cursor;
    const sizes: number[] = [];
    const seen = new Set<string>();
    for (let poll = 0; poll < 12 && seen.size < 30; poll++) {
      const result = await a.pollUpdates!(cursor, { signal: signal() });
      sizes.push(result.updates.length);
      for (const u of result.updates) {
        expect(seen.has(u.externalRef)).toBe(false);
        seen.add(u.externalRef);
      }
      cursor = result.cursor;
    }
    expect(seen.size).toBe(30);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
  });

  it('counts first (aqs/statistics), then reads pages of the size configured', async () => {
    const { a } = await instance(sim, (c) => ({ ...c, poll: { pageSize: 2 } }));
    const start = await a.pollUpdates!(undefined, { signal: signal() });
    for (let i = 0; i < 5; i++) await report(a);
    sim.requests.length = 0;
    const result = await a.pollUpdates!(start.cursor, { signal: signal() });
    expect(result.updates).toHaveLength(5);
    const queries = sim.requests.filter((r) => r.path === '/api/aqs/query' && JSON.stringify(r.body).includes(REPORT.design));
    expect(queries.map((q) => q.query)).toEqual([
      { page: '1', pageSize: '2' },
      { page: '2', pageSize: '2' },
      { page: '3', pageSize: '2' },
    ]);
    expect(sim.requests.filter((r) => r.path === '/api/aqs/statistics')).toHaveLength(3);
    expect(sim.requests.filter((r) => r.path.startsWith('/api/item-log/'))).toHaveLength(5);
  });

  it('refuses a cursor it did not write, without echoing it', async () => {
    const { a } = await instance(sim);
    const error = await rejection(a.pollUpdates!('not-a-cursor-from-alloy', { signal: signal() }));
    expect(error).toMatchObject({ code: 'LGX_ERR_VALIDATION_INVALID', issues: [expect.objectContaining({ path: '/cursor' })] });
    expect(error.message).not.toContain('not-a-cursor-from-alloy');
  });

  it('stops when its signal is aborted', async () => {
    const { a } = await instance(sim);
    sim.faults.failNext(5, { timeout: true });
    const controller = new AbortController();
    const pending = a.pollUpdates!(undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ classification: 'retryable' });
    sim.faults.clear();
  });

  it('polls each design once even when two types share it', async () => {
    const { a } = await instance(sim, (c) => ({
      ...c,
      types: {
        'waste.missedCollection': c.types['waste.missedCollection']!,
        'crm.case': {
          ...c.types['crm.case']!,
          designCode: MISSED.design,
          transactionIdAttribute: MISSED.lgxId,
          attributes: {
            [MISSED.uprn]: { value: '100090123456' },
            [MISSED.service]: { value: [OPTIONS.wasteService.other.itemId] },
            [MISSED.scheduledDate]: { value: '2026-11-17' },
          },
          attachments: { attributeCode: MISSED.attachments },
          status: c.types['waste.missedCollection']!.status,
        },
      },
    }));
    sim.requests.length = 0;
    await a.pollUpdates!(undefined, { signal: signal() });
    expect(sim.requests.filter((r) => r.path === '/api/aqs/statistics')).toHaveLength(1);
  });
});
