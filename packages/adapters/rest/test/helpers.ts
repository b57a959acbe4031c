import { createTransaction, type Envelope } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { createMemoryLogger, loadFixtures } from '@lgx/testkit';
import { FIELDBOOK_CLIENT_ID, FIELDBOOK_CLIENT_SECRET, FIELDBOOK_TOKEN, type FieldbookSimulator } from '../src/testing';
import adapter, { fieldbookExampleConfig, type RestAdapterConfig } from '../src';

export const signal = (ms = 5000): AbortSignal => AbortSignal.timeout(ms);

export function fixture<T = Record<string, unknown>>(type: string, name: string): T {
  const found = loadFixtures(type, { kind: 'valid' }).find((f) => f.name === name);
  if (!found) throw new Error(`no valid ${type} fixture ${name}`);
  return structuredClone(found.data) as T;
}

let counter = 0;
export function tx(type: string, data: unknown, idempotencyKey = `rest-test-${Date.now()}-${++counter}`): Envelope {
  return createTransaction(type as 'street.report', data as never, {
    council: 'E07000223',
    channel: 'web',
    idempotencyKey,
  }) as unknown as Envelope;
}

/** The worked example's config for a running Fieldbook (OAuth 2.0 unless `staticToken`). */
export function exampleConfig(sim: FieldbookSimulator, options: { staticToken?: boolean; openapi?: boolean } = {}): RestAdapterConfig {
  const config = fieldbookExampleConfig({
    baseUrl: sim.baseUrl,
    tokenUrl: sim.tokenUrl,
    clientId: FIELDBOOK_CLIENT_ID,
    clientSecret: FIELDBOOK_CLIENT_SECRET,
    ...(options.openapi ? { openapi: sim.openapiUrl } : {}),
  });
  if (options.staticToken) config.auth = { type: 'bearer', token: FIELDBOOK_TOKEN };
  return config;
}

/** The default export against a config (transport retries off, every log entry kept). */
export async function instance(config: unknown, host: { mappings?: Record<string, Record<string, string>> } = {}) {
  const memory = createMemoryLogger('debug');
  const { instance: a } = await instantiateAdapter(adapter, config, {
    retry: false,
    logger: memory.logger,
    rawLogger: true,
    ...(host.mappings ? { mappings: host.mappings } : {}),
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

/** The requests the simulator answered on the API (the token endpoint left out). */
export const apiRequests = (sim: FieldbookSimulator) => sim.requests.filter((r) => r.path.startsWith('/v2/'));
