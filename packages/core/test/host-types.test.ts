import {
  assertValidData,
  createTransaction,
  defineAdapter,
  validateQuery,
  validateQueryResult,
  type AdapterDefinition,
  type AdapterInstance,
} from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { readFixtures } from './helpers';

// Two adapters with different capabilities and config types (one an interface, which has no index
// signature), held and called the way a host does. The file compiles without a cast only because a
// typed definition and instance are assignable to the plain AdapterDefinition and AdapterInstance.
interface WasteConfig {
  apiKey: string;
}

const manifest = (id: string) => ({ id, vendor: 'Acme', product: 'Acme', version: '1.0.0', sdk: '^1.0.0', domains: ['waste'] as const });
const secretKey = {
  type: 'object',
  required: ['apiKey'],
  additionalProperties: false,
  properties: { apiKey: { type: 'string', minLength: 8, 'x-lgx-secret': true } },
};

const missed = defineAdapter({
  manifest: manifest('acme-missed'),
  configSchema: secretKey,
  capabilities: [{ type: 'waste.missedCollection', versions: [1], operations: ['submit'], idempotency: 'key' }],
  create: (_context, config: WasteConfig) => ({
    // Typed for the adapter: tx.data is a missed collection.
    submit: async (tx) => ({ externalRef: `MC-${tx.data.uprn}-${config.apiKey.length}`, status: 'open' as const }),
  }),
});

const checked = validateQueryResult(
  'waste.collectionSchedule',
  readFixtures('waste.collectionSchedule', 1, 'result').find((f) => f.file === 'alternate-weeks-household.json')!.data,
);
if (!checked.ok) throw new Error('the result fixture is valid');
const result = checked.value;

const schedule = defineAdapter({
  manifest: manifest('acme-schedule'),
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  capabilities: [{ type: 'waste.collectionSchedule', versions: [1], operations: ['query'] }],
  create: () => ({
    query: async (_type, params) => ({ ...result, uprn: params.uprn }),
  }),
});

describe('a host', () => {
  it('holds adapters of any capabilities and config type in one map and calls them without casts', async () => {
    const definitions: Record<string, AdapterDefinition> = { missed, schedule };
    const configs: Record<string, unknown> = { missed: { apiKey: 'key-123456789' }, schedule: {} };
    const running = new Map<string, AdapterInstance>();
    for (const [id, definition] of Object.entries(definitions))
      running.set(id, (await instantiateAdapter(definition, configs[id])).instance);

    const data = assertValidData('waste.missedCollection', readFixtures('waste.missedCollection', 1, 'valid')[0]!.data);
    const envelope = createTransaction('waste.missedCollection', data, { council: 'E07000223', idempotencyKey: 'host-1' });
    const signal = AbortSignal.timeout(5000);
    await expect(running.get('missed')!.submit!(envelope, { signal })).resolves.toEqual({
      externalRef: `MC-${data.uprn}-13`,
      status: 'open',
    });

    const params = validateQuery('waste.collectionSchedule', readFixtures('waste.collectionSchedule', 1, 'valid')[0]!.data);
    if (!params.ok) throw new Error('fixture is valid');
    const answer = await running.get('schedule')!.query!('waste.collectionSchedule', params.value, { signal });
    expect(validateQueryResult('waste.collectionSchedule', answer)).toMatchObject({ ok: true, value: { uprn: params.value.uprn } });
  });
});
