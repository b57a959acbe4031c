import { createTransaction, type Envelope } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { createMemoryLogger, loadFixtures } from '@lgx/testkit';
import type { AlloySimulator } from '../src/testing';
import adapter, { alloyExampleConfig, type AlloyConfig } from '../src';

export const COUNCIL = 'E07000223';
export const signal = (ms = 5000): AbortSignal => AbortSignal.timeout(ms);

/** A valid canonical fixture's data, by type and name, as a fresh copy. */
export function fixture<T = Record<string, unknown>>(type: string, name: string): T {
  const found = loadFixtures(type, { kind: 'valid' }).find((f) => f.name === name);
  if (!found) throw new Error(`no valid ${type} fixture ${name}`);
  return structuredClone(found.data) as T;
}

let counter = 0;
export function tx(type: string, data: unknown, idempotencyKey = `alloy-test-${Date.now()}-${++counter}`): Envelope {
  return createTransaction(type as 'street.report', data as never, {
    council: COUNCIL,
    channel: 'web',
    idempotencyKey,
  }) as unknown as Envelope;
}

/** The adapter against the simulator with the example mapping (changed by `change`), transport retries off. */
export async function instance(
  sim: AlloySimulator,
  change: (config: AlloyConfig) => AlloyConfig = (c) => c,
  host: { mappings?: Record<string, Record<string, string>>; now?: () => Date } = {},
) {
  const memory = createMemoryLogger('debug');
  const { instance: a } = await instantiateAdapter(adapter, change(alloyExampleConfig(sim.apiUrl, sim.apiKey)), {
    retry: false,
    logger: memory.logger,
    rawLogger: true,
    ...(host.mappings ? { mappings: host.mappings } : {}),
    ...(host.now ? { clock: { now: host.now } } : {}),
  });
  return { a, logs: memory.entries };
}

export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown> & { message: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Record<string, unknown> & { message: string },
  );
}

/** The JSON body of each request the simulator received to `method path`. */
export function bodies(sim: AlloySimulator, method: string, path: string): Array<Record<string, unknown>> {
  return sim.requests.filter((r) => r.method === method && r.path === path).map((r) => JSON.parse(r.body) as Record<string, unknown>);
}

/** `{attributeCode: value}` of an item write. */
export function attributesOf(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries((body.attributes as Array<{ attributeCode: string; value: unknown }>).map((a) => [a.attributeCode, a.value]));
}
