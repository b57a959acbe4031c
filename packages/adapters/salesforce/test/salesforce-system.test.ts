import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instantiateAdapter } from '@lgx/core/host';
import { simulatedSystems, type SalesforceSimulator } from '../src/testing';
import adapter, { type SalesforceConfig } from '../src';
import { caseFixture, caseTx, signal } from './helpers';

const system = simulatedSystems.find((s) => s.name === 'salesforce')!;

/** The adapter from the system's stack entry (client credentials on the org's own port), secret resolved. */
async function adapterAt(url: string) {
  const { config, env } = system.stack(url);
  expect(config).toMatchObject({ flow: 'client-credentials', loginUrl: url, clientSecret: '${env:SALESFORCE_CLIENT_SECRET}' });
  return (
    await instantiateAdapter(adapter, { ...config, clientSecret: env.SALESFORCE_CLIENT_SECRET } as unknown as SalesforceConfig, {
      retry: false,
    })
  ).instance;
}

describe('lgx simulate salesforce', () => {
  it("keeps the org's cases and continues its case numbers after a restart", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'salesforce-state-'));
    try {
      const org = (await system.start({ stateDir: dir })) as SalesforceSimulator;
      let caseId: string;
      try {
        const made = await (await adapterAt(org.url)).submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() });
        caseId = made.externalRef;
        expect(made.attributes).toEqual({ caseNumber: '00001001' });
        org.setCaseStatus(caseId, 'Closed');
      } finally {
        await org.close();
      }

      const again = (await system.start({ stateDir: dir })) as SalesforceSimulator;
      try {
        const a = await adapterAt(again.url);
        expect(await a.getStatus!(caseId, { signal: signal() })).toMatchObject({ externalRef: caseId, externalStatusCode: 'Closed' });
        expect((await a.submit!(caseTx(caseFixture('anonymous-staff-case')), { signal: signal() })).attributes).toEqual({
          caseNumber: '00001002',
        });
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
