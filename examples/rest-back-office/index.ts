/**
 * A council's back office with a REST API and no LGX adapter, connected by configuration only: the
 * declarative REST adapter with the Fieldbook mapping that ships in @lgx/adapter-rest
 * (examples/fieldbook.json). Fieldbook is a fictional field-service system; its simulator
 * (@lgx/adapter-rest/testing) stands in for it, so the example runs anywhere:
 *
 *   npx tsx examples/rest-back-office/index.ts
 *
 * It opens a stack on a SQLite file, delivers a street report and a missed bin, then an officer moves
 * both on in Fieldbook and the status poller brings the changes back as canonical status updates.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import { createSqliteStore, createStack, openStack, type RunningStack } from '@lgx/runtime';
import { startFieldbookSimulator, FIELDBOOK_CLIENT_ID, FIELDBOOK_CLIENT_SECRET } from '@lgx/adapter-rest/testing';

const COUNCIL = 'E07000223';

async function delivered(stack: RunningStack, id: string): Promise<string> {
  for (let i = 0; i < 200; i += 1) {
    const receipt = (await stack.get(id))?.deliveries[0]?.receipt;
    if (receipt) return receipt.externalRef;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${id} was not delivered`);
}

async function main(): Promise<void> {
  // 1. The adapter's whole configuration is the mapping shipped in the package; secrets come from the environment.
  const shipped = path.join(path.dirname(require.resolve('@lgx/adapter-rest/package.json')), 'examples', 'fieldbook.json');
  const mapping = JSON.parse(readFileSync(shipped, 'utf8')) as Record<string, unknown>;
  const fieldbook = await startFieldbookSimulator();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-rest-example-'));
  const definition = await createStack(
    {
      council: COUNCIL,
      adapters: { fieldbook: { package: '@lgx/adapter-rest', config: mapping } },
      routes: [
        { match: { type: 'street.report' }, mode: 'one', targets: ['fieldbook'] },
        { match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['fieldbook'] },
      ],
    },
    {
      env: { FIELDBOOK_BASE_URL: fieldbook.baseUrl, FIELDBOOK_TOKEN_URL: fieldbook.tokenUrl, FIELDBOOK_CLIENT_ID, FIELDBOOK_CLIENT_SECRET },
    },
  );
  const store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
  // Polling is started by hand here (one round, below), so the example need not wait for a schedule.
  const stack = await openStack(definition, { store, worker: { pollIntervalMs: 50 }, polling: false });

  try {
    // 2. Two canonical transactions, delivered as Fieldbook requests (OAuth 2.0 token fetched once).
    const pothole = createTransaction(
      'street.report',
      {
        kind: 'pothole',
        description: 'Deep pothole by the bus stop',
        location: { wgs84: { lat: 52.2053, lon: 0.1218 }, usrn: '21702345' },
      },
      { council: COUNCIL, channel: 'web', idempotencyKey: 'web-form-1001' },
    );
    const bin = createTransaction(
      'waste.missedCollection',
      { uprn: '100090001234', service: 'recycling', scheduledDate: '2026-03-02' },
      { council: COUNCIL, channel: 'web', idempotencyKey: 'web-form-1002' },
    );
    const ids = [(await stack.submit(pothole)).id, (await stack.submit(bin)).id];
    const refs = [await delivered(stack, ids[0]!), await delivered(stack, ids[1]!)];
    console.log(`delivered: street report as ${refs[0]}, missed bin as ${refs[1]}`);

    // 3. Officers move both on in Fieldbook; one poll reads its change feed from the stored cursor.
    fieldbook.setState(refs[0]!, 'scheduled', 'Repair booked for Thursday');
    fieldbook.setState(refs[1]!, 'completed', 'Collected this afternoon');
    await stack.polling.pollOnce();
    for (const id of ids) {
      const view = await stack.get(id);
      const history = view!.statusUpdates.map((u) => `${u.update.status} (Fieldbook: ${u.update.externalStatusCode})`);
      console.log(`${view!.transaction.type}: ${history.join(' -> ')}`);
    }
    const last = (id: string) => stack.get(id).then((v) => v!.statusUpdates.at(-1)?.update.status);
    if ((await last(ids[0]!)) !== 'action_scheduled' || (await last(ids[1]!)) !== 'fixed')
      throw new Error('the status changes did not come back');
  } finally {
    await stack.close();
    await fieldbook.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
