import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instantiateAdapter } from '@lgx/core/host';
import { OPTIONS, simulatedSystems, type AlloySimulator } from '../src/testing';
import adapter, { type AlloyConfig } from '../src';
import { fixture, signal, tx } from './helpers';

const system = simulatedSystems.find((s) => s.name === 'alloy')!;

async function alloyFromStack(url: string) {
  const entry = system.stack(url);
  expect(entry.config).toMatchObject({ baseUrl: `${url}/api/`, apiKey: '${env:ALLOY_API_KEY}' });
  return (
    await instantiateAdapter(adapter, { ...entry.config, apiKey: entry.env.ALLOY_API_KEY } as unknown as AlloyConfig, { retry: false })
  ).instance;
}

describe('lgx simulate alloy', () => {
  it('still holds its items, their status and their log after a restart, so a repeat finds the item made', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'alloy-state-'));
    const report = tx('street.report', fixture('street.report', 'street-light-by-asset'));
    try {
      const before = (await system.start({ stateDir: dir })) as AlloySimulator;
      let itemId: string;
      try {
        itemId = (await (await alloyFromStack(before.url)).submit!(report as never, { signal: signal() })).externalRef;
        before.setStatus(itemId, OPTIONS.reportStatus.remedied.itemId, 'Lamp replaced');
      } finally {
        await before.close();
      }

      const after = (await system.start({ stateDir: dir })) as AlloySimulator;
      try {
        const a = await alloyFromStack(after.url);
        expect(await a.getStatus!(itemId, { signal: signal() })).toMatchObject({ externalRef: itemId, status: 'fixed' });
        expect((await a.submit!(report as never, { signal: signal() })).externalRef).toBe(itemId);
        expect(after.itemsOf()).toHaveLength(1);
        expect(after.item(itemId).log.map((entry) => entry.action)).toEqual(['Create', 'Edit']);
      } finally {
        await after.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
