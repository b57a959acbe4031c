import { createTransaction, type CrmCase } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { createMemoryLogger, loadFixtures } from '@lgx/testkit';
import { SALESFORCE_FIXTURE_CONTACT, salesforceSimulatorConfig, type SalesforceSimulator } from '../src/testing';
import adapter, { type SalesforceConfig } from '../src';

/** The contact the crm.case fixtures name (a GUID: related through a Contact external id field). */
export const FIXTURE_CONTACT = SALESFORCE_FIXTURE_CONTACT;

/** The adapter's config for a running simulator: JWT bearer through the login host by default. */
export function salesforceConfig(sim: SalesforceSimulator, extra: Record<string, unknown> = {}): SalesforceConfig {
  return { ...salesforceSimulatorConfig(sim), ...extra } as unknown as SalesforceConfig;
}

/** An adapter instance on the simulator, with retries off and every log entry kept. */
export async function salesforce(sim: SalesforceSimulator, extra: Record<string, unknown> = {}, clock?: { now(): Date }) {
  const memory = createMemoryLogger('debug');
  const { instance } = await instantiateAdapter(adapter, salesforceConfig(sim, extra), {
    retry: false,
    logger: memory.logger,
    rawLogger: true,
    ...(clock ? { clock } : {}),
  });
  return { a: instance, logs: memory.entries };
}

export type SalesforceInstance = Awaited<ReturnType<typeof salesforce>>['a'];

export function caseFixture(name: string): CrmCase {
  return structuredClone(loadFixtures('crm.case', { kind: 'valid' }).find((f) => f.name === name)!.data) as CrmCase;
}

export function caseTx(data: CrmCase, idempotencyKey = `case-${Math.random().toString(36).slice(2)}`) {
  return createTransaction('crm.case', data, { council: 'E07000223', idempotencyKey });
}

export const signal = () => AbortSignal.timeout(5000);

export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown> & Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Record<string, unknown> & Error,
  );
}
