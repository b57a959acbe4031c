import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransaction, LgxValidationError } from '@lgx/core';
import { createDeadLetters, createSqliteStore, loadStack, loadStackOutline, type Store } from '../src';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lgx-store-side-'));
  // The fixture stack without its secret file or its mapping CSV beside it, and no variable set.
  cpSync(join(__dirname, 'fixtures', 'stacks', 'stack.yaml'), join(dir, 'stack.yaml'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadStackOutline', () => {
  it('reads the council, adapter packages and routes where no secret is set and no mapping file exists', async () => {
    const file = join(dir, 'stack.yaml');
    await expect(loadStack(file, { env: {} })).rejects.toThrow(/EXAMPLE_WASTE_KEY, which is not set/);
    const outline = await loadStackOutline(file);
    expect(outline.council).toBe('E07000223');
    expect(outline.adapters).toEqual({
      waste: { package: '@lgx/adapter-template' },
      'waste-new': { package: '@lgx/adapter-template' },
      highways: { package: '@lgx/adapter-template' },
      crm: { package: '@lgx/adapter-template' },
    });
    expect(outline.routes[0]).toEqual({
      match: { type: 'waste.missedCollection' },
      mode: 'one',
      targets: ['waste'],
      shadow: ['waste-new'],
    });
    // No configuration at all: nothing an adapter could be created from, no reference to resolve later.
    expect(JSON.stringify(outline)).not.toContain('env:');
  });

  it('still refuses a stack whose shape is wrong, naming the key and its line', async () => {
    const file = join(dir, 'stack.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('targets: [highways, crm]\n  - match: { lgsl', 'targets: [highway, crm]\n  - match: { lgsl'),
    );
    const error = await loadStackOutline(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LgxValidationError);
    expect((error as LgxValidationError).issues).toEqual([
      expect.objectContaining({ path: '/routes/1/targets/0', rule: 'declaredAdapter', params: { adapter: 'highway', line: 25 } }),
    ]);
  });
});

describe('createDeadLetters', () => {
  let store: Store;
  beforeEach(async () => {
    store = createSqliteStore({ file: join(dir, 'lgx.db') });
    await store.migrate();
  });
  afterEach(() => store.close());

  /** A transaction whose one delivery the back office refused for good. */
  async function dead(council: string): Promise<string> {
    const envelope = createTransaction(
      'street.report',
      { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } },
      { council },
    );
    const deliveryId = `${council}-${envelope.id}`;
    await store.insertTransaction({
      envelope,
      deliveries: [{ id: deliveryId, target: 'highways', mode: 'one', order: 0, state: 'pending' }],
      audit: { actor: 'test', action: 'transaction.accepted' },
      now: new Date(),
    });
    const [leased] = await store.leaseDeliveries({ owner: 'w', limit: 1, leaseMs: 60_000, now: new Date() });
    const now = new Date();
    const error = { classification: 'permanent', message: 'refused' };
    await store.completeAttempt({
      deliveryId: leased!.id,
      owner: 'w',
      attempt: { attempt: 1, startedAt: now.toISOString(), finishedAt: now.toISOString(), outcome: 'failed', classification: 'permanent' },
      outcome: { kind: 'dead', error },
      now,
    });
    return deliveryId;
  }

  it("lists, replays and discards a council's dead letters on the store alone, and never another council's", async () => {
    const ours = await dead('E07000223');
    const theirs = await dead('E08000025');
    let replayed = 0;
    const dlq = createDeadLetters({ store, council: 'E07000223', onReplay: () => (replayed += 1) });
    expect((await dlq.list()).map((d) => d.id)).toEqual([ours]);
    expect(await dlq.show(theirs)).toBeUndefined();
    expect(await dlq.show(ours)).toEqual(
      expect.objectContaining({ state: 'dead', attemptLog: [expect.objectContaining({ attempt: 1, outcome: 'failed' })] }),
    );
    expect(await dlq.replay(ours, { actor: 'staff-42', reason: 'fixed' })).toBe(true);
    expect([(await store.getDelivery(ours))?.state, replayed]).toEqual(['pending', 1]);
    // Another council's dead letter cannot be replayed or discarded from here, even with its id.
    expect(await dlq.replay(theirs, { actor: 'staff-42', reason: 'not ours' })).toBe(false);
    expect(await dlq.discard(theirs, { actor: 'staff-42', reason: 'not ours' })).toBe(false);
    expect((await store.getDelivery(theirs))?.state).toBe('dead');
    expect((await store.listAudit('E07000223')).map((e) => e.action)).toEqual(['transaction.accepted', 'delivery.dead', 'dlq.replay']);
  });
});
