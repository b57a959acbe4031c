import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createSqliteStore, createStack, type StackDefinition } from '@lgx/runtime';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { createTransaction, type Channel } from '@lgx/core';
import { waitFor } from '@lgx/testkit';
import { createApiKey, createMemoryKeyStore, startService, type Scope, type Service } from '../../src';

export const COUNCIL = 'E07000223';
export const OTHER_COUNCIL = 'E08000025';

/** A real gateway with two councils' waste stacks on SQLite, the example-waste back office, and keys. */
export interface ConsoleWorld {
  service: Service;
  sim: ExampleWasteSimulator;
  keys: Record<'operator' | 'admin' | 'reader' | 'otherOperator' | 'personalData', string>;
  /** Transactions accepted for COUNCIL, delivered, by channel. */
  delivered: string[];
  /** A COUNCIL transaction whose delivery is dead, and that delivery's id. */
  dead: { transactionId: string; deliveryId: string };
  /** A transaction of OTHER_COUNCIL. */
  otherTransactionId: string;
  stop(): Promise<void>;
}

function wasteStack(council: string, url: string): Promise<StackDefinition> {
  return createStack({
    council,
    adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: url, apiKey: API_KEY } } },
    routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
  });
}

export const missedBin = (council: string, uprn: string, channel: Channel) =>
  createTransaction(
    'waste.missedCollection',
    {
      uprn,
      service: 'refuse',
      scheduledDate: '2026-11-20',
      requester: { person: { givenName: 'Ada', familyName: 'Lovelace-Testperson' } },
    },
    { council, channel },
  );

/** The requester's family name in every transaction: masked unless the key may see personal data. */
export const PERSONAL_NAME = 'Lovelace-Testperson';

export async function startConsoleWorld(): Promise<ConsoleWorld> {
  const sim = await startExampleWasteSimulator();
  const dir = mkdtempSync(path.join(__dirname, '..', '.tmp-console-'));
  const service = await startService([await wasteStack(COUNCIL, sim.url), await wasteStack(OTHER_COUNCIL, sim.url)], {
    store: (definition) => createSqliteStore({ file: path.join(dir, `${definition.council}.db`) }),
    keys: createMemoryKeyStore(),
    // One check at start: a check later could take the fault meant for a delivery.
    healthCheckIntervalMs: 3_600_000,
    worker: { pollIntervalMs: 20 },
    polling: false,
    retention: false,
  });
  const stop = async () => {
    await service.stop();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const key = async (council: string, scopes: Scope[], label: string) =>
      (await createApiKey(service.keys, { council, scopes, label })).key;
    const keys = {
      operator: await key(COUNCIL, ['operator'], 'duty operator'),
      admin: await key(COUNCIL, ['admin'], 'admin'),
      reader: await key(COUNCIL, ['read'], 'reader'),
      otherOperator: await key(OTHER_COUNCIL, ['operator'], 'other council'),
      personalData: await key(COUNCIL, ['operator', 'personal-data'], 'caseworker'),
    };
    const [mine, other] = service.stacks;
    const delivered: string[] = [];
    for (const [i, channel] of (['web', 'phone', 'web'] as const).entries())
      delivered.push((await mine!.submit(missedBin(COUNCIL, `10002333695${i}`, channel))).id);
    await waitFor(
      async () => (await Promise.all(delivered.map((id) => mine!.get(id)))).every((v) => v?.state === 'delivered'),
      'the first transactions delivered',
    );
    sim.faults.failNext(1, { status: 400, body: { error: { code: 'INVALID_UPRN', message: 'uprn not known' } } });
    const deadId = (await mine!.submit(missedBin(COUNCIL, '100023336999', 'face_to_face'))).id;
    await waitFor(async () => (await mine!.get(deadId))?.state === 'dead', 'a dead letter');
    const deadView = (await mine!.get(deadId))!;
    const otherTransactionId = (await other!.submit(missedBin(OTHER_COUNCIL, '100023336960', 'web'))).id;
    return {
      service,
      sim,
      keys,
      delivered,
      dead: { transactionId: deadId, deliveryId: deadView.deliveries[0]!.id },
      otherTransactionId,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
