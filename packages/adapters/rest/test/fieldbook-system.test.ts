import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instantiateAdapter } from '@lgx/core/host';
import { simulatedSystems, type FieldbookSimulator } from '../src/testing';
import adapter, { type RestAdapterConfig } from '../src';
import { fixture, signal, tx } from './helpers';

const system = simulatedSystems.find((s) => s.name === 'fieldbook')!;

/** The worked example's mapping as the system's stack entry gives it, with the client secret filled in. */
async function mapped(url: string) {
  const { config, env } = system.stack(url);
  const auth = config.auth as Record<string, unknown>;
  expect(auth.clientSecret).toBe('${env:FIELDBOOK_CLIENT_SECRET}');
  const resolved = { ...config, auth: { ...auth, clientSecret: env.FIELDBOOK_CLIENT_SECRET } } as unknown as RestAdapterConfig;
  return (await instantiateAdapter(adapter, resolved, { retry: false })).instance;
}

describe('lgx simulate fieldbook', () => {
  it('continues request numbers and the change feed after a restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fieldbook-state-'));
    try {
      const running = (await system.start({ stateDir: dir })) as FieldbookSimulator;
      try {
        const a = await mapped(running.url);
        const receipt = await a.submit!(
          tx('waste.missedCollection', fixture('waste.missedCollection', 'recycling-bin-out-not-emptied')) as never,
          { signal: signal() },
        );
        expect(receipt.externalRef).toBe('FB-000001');
        running.setState('FB-000001', 'scheduled', 'Crew returning Thursday');
      } finally {
        await running.close();
      }

      const restarted = (await system.start({ stateDir: dir })) as FieldbookSimulator;
      try {
        const a = await mapped(restarted.url);
        const polled = await a.pollUpdates!(undefined, { signal: signal() });
        expect(polled.updates.map((u) => [u.externalRef, u.externalStatusCode])).toEqual([
          ['FB-000001', 'received'],
          ['FB-000001', 'scheduled'],
        ]);
        const next = await a.submit!(tx('street.report', fixture('street.report', 'street-light-by-asset')) as never, { signal: signal() });
        expect(next.externalRef).toBe('FB-000002');
      } finally {
        await restarted.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
