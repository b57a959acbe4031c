import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteStore, createStack, openStack } from '../src';

const repoRoot = path.resolve(__dirname, '../../..');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-open311-changeset-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Opens the stack on the same file each time (with these Open311 services, if any), and gives its changeset. */
async function changesetWith(services?: Array<{ code: string; name: string }>): Promise<Date | undefined> {
  const definition = await createStack({
    council: 'E07000223',
    adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: 'http://127.0.0.1:9/', apiKey: 'test-api-key-0001' } } },
    routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    ...(services
      ? { open311: { services: services.map((s) => ({ ...s, type: 'waste.missedCollection' as const, service: 'refuse' })) } }
      : {}),
  });
  const stack = await openStack(definition, {
    store: createSqliteStore({ file: path.join(dir, 'lgx.db') }),
    resolveFrom: repoRoot,
    polling: false,
    start: false,
  });
  await stack.close();
  return stack.open311Changeset;
}

it("keeps discovery's changeset across restarts while the services stay the same, and moves it when they change", async () => {
  const missed = { code: 'MISSED', name: 'Missed bin' };
  const first = await changesetWith([missed]);
  expect(first).toBeInstanceOf(Date);
  await new Promise((resolve) => setTimeout(resolve, 5));
  // A restart with the same services (in another key order, as a reloaded file may have them) keeps it.
  expect(await changesetWith([{ name: 'Missed bin', code: 'MISSED' }])).toEqual(first);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const renamed = await changesetWith([{ code: 'MISSED', name: 'Missed bin collection' }]);
  expect(renamed!.getTime()).toBeGreaterThan(first!.getTime());
  expect(await changesetWith([{ code: 'MISSED', name: 'Missed bin collection' }])).toEqual(renamed);
});

it('has no changeset for a stack without an Open311 facade', async () => {
  expect(await changesetWith()).toBeUndefined();
});
