import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instantiateAdapter } from '@lgx/core/host';
import { simulatedSystems, type DataverseSimulator } from '../src/testing';
import adapter, { type DataverseConfig } from '../src';
import { caseFixture, caseTx, signal } from './helpers';

const system = simulatedSystems.find((s) => s.name === 'dataverse')!;

/** The adapter as a stack would make it from the system's entry, with the secret resolved. */
async function fromStack(url: string) {
  const stack = system.stack(url);
  expect(stack.config.clientSecret).toBe('${env:DATAVERSE_CLIENT_SECRET}');
  const config = { ...stack.config, clientSecret: stack.env.DATAVERSE_CLIENT_SECRET } as unknown as DataverseConfig;
  return (await instantiateAdapter(adapter, config, { retry: false })).instance;
}

describe('lgx simulate dataverse', () => {
  it('serves its stack entry on one port and keeps cases, numbers and status changes across a restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dataverse-state-'));
    try {
      const first = (await system.start({ stateDir: dir })) as DataverseSimulator;
      let firstRef: string;
      try {
        expect(system.address(first.url)).toBe(`${first.url}/api/data/v9.2`);
        const a = await fromStack(first.url);
        const receipt = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
        firstRef = receipt.externalRef;
        expect(receipt.attributes).toMatchObject({ caseNumber: expect.stringMatching(/^CAS-01001-/) });
        first.resolve(firstRef);
      } finally {
        await first.close();
      }

      const second = (await system.start({ stateDir: dir })) as DataverseSimulator;
      try {
        const a = await fromStack(second.url);
        expect(await a.getStatus!(firstRef, { signal: signal() })).toMatchObject({ externalRef: firstRef, status: 'fixed' });
        const next = await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
        expect(next.attributes).toMatchObject({ caseNumber: expect.stringMatching(/^CAS-01002-/) });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
