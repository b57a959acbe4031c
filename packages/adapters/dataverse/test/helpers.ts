import { createTransaction, type CrmCase, type CrmContact } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { createMemoryLogger, loadFixtures } from '@lgx/testkit';
import { DATAVERSE_FIXTURE_CONTACT, dataverseSimulatorConfig, type DataverseSimulator } from '../src/testing';
import adapter, { type DataverseConfig } from '../src';

/** The contact the crm.case and crm.contact fixtures name, as a CRM that already holds it. */
export const FIXTURE_CONTACT = DATAVERSE_FIXTURE_CONTACT;

/** The adapter's config for a running simulator. */
export function dataverseConfig(sim: DataverseSimulator, extra: Record<string, unknown> = {}): DataverseConfig {
  return { ...dataverseSimulatorConfig(sim), ...extra } as DataverseConfig;
}

/** An adapter instance on the simulator, with retries off and every log entry kept. */
export async function dataverse(sim: DataverseSimulator, extra: Record<string, unknown> = {}, clock?: { now(): Date }) {
  const memory = createMemoryLogger('debug');
  const { instance } = await instantiateAdapter(adapter, dataverseConfig(sim, extra), {
    retry: false,
    logger: memory.logger,
    rawLogger: true,
    ...(clock ? { clock } : {}),
  });
  return { a: instance, logs: memory.entries };
}

export function caseFixture(name: string): CrmCase {
  return structuredClone(loadFixtures('crm.case', { kind: 'valid' }).find((f) => f.name === name)!.data) as CrmCase;
}

export function contactFixture(name: string): CrmContact {
  return structuredClone(loadFixtures('crm.contact', { kind: 'valid' }).find((f) => f.name === name)!.data) as CrmContact;
}

export function caseTx(data: CrmCase, idempotencyKey = `case-${Math.random().toString(36).slice(2)}`) {
  return createTransaction('crm.case', data, { council: 'E07000223', idempotencyKey });
}

export function contactTx(data: CrmContact, idempotencyKey = `contact-${Math.random().toString(36).slice(2)}`) {
  return createTransaction('crm.contact', data, { council: 'E07000223', idempotencyKey });
}

export const signal = () => AbortSignal.timeout(5000);

/** A running adapter instance, as the tests hold it. */
export type DataverseInstance = Awaited<ReturnType<typeof dataverse>>['a'];

export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown> & Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Record<string, unknown> & Error,
  );
}
