import { createTransaction } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { loadFixtures } from '@lgx/testkit';
import adapter from '../src';
import { API_KEY, progressCase, startExampleWasteSimulator, type ExampleWasteSimulator } from '../src/testing';

let sim: ExampleWasteSimulator;
beforeAll(async () => {
  sim = await startExampleWasteSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const signal = () => AbortSignal.timeout(5000);

async function instance(mappings: Record<string, Record<string, string>> = {}) {
  return (await instantiateAdapter(adapter, { baseUrl: sim.url, apiKey: API_KEY }, { mappings, retry: false })).instance;
}

describe('Example Waste adapter', () => {
  it('maps a missed collection to the vendor body, with the council service mapping and the idempotency key', async () => {
    const a = await instance({ service: { recycling: 'BLUE' } });
    const data = loadFixtures('waste.missedCollection', { kind: 'valid' }).find((f) => f.name === 'recycling-bin-out-not-emptied')!.data;
    const tx = createTransaction('waste.missedCollection', data as never, { council: 'E07000223', idempotencyKey: 'form-42' });
    const receipt = await a.submit!(tx, { signal: signal() });
    expect(receipt).toMatchObject({ externalRef: 'MC-000001', status: 'open', externalStatusCode: 'logged' });
    const sent = sim.requests.find((r) => r.path === '/v1/missed-collections')!;
    expect(sent.headers['idempotency-key']).toBe('form-42');
    expect(JSON.parse(sent.body)).toEqual({
      uprn: '100090215480',
      service: 'BLUE',
      collection_date: '2026-11-17',
      container_out: true,
      location_note: 'At the kerb outside the front gate',
      assisted: false,
      notes: 'Bin was out by 6am, every other bin in the street was emptied.',
    });
  });

  it('reports vendor status changes as canonical statuses with the vendor code beside them', async () => {
    const a = await instance();
    const data = loadFixtures('waste.containerRequest', { kind: 'valid' })[0]!.data;
    const { externalRef } = await a.submit!(createTransaction('waste.containerRequest', data as never, { council: 'E07000223' }), {
      signal: signal(),
    });
    progressCase(sim, externalRef, 'completed', 'Delivered to the side gate');
    await expect(a.getStatus!(externalRef, { signal: signal() })).resolves.toMatchObject({
      externalRef,
      status: 'fixed',
      externalStatusCode: 'completed',
      description: 'Delivered to the side gate',
    });
    const polled = await a.pollUpdates!(undefined, { signal: signal() });
    expect(polled.updates.map((u) => u.status)).toEqual(['open', 'fixed']);
    expect((await a.pollUpdates!(polled.cursor, { signal: signal() })).updates).toEqual([]);
  });

  it('answers the bin-day query in canonical form', async () => {
    const a = await instance();
    await expect(a.query!('waste.collectionSchedule', { uprn: '100090215480' }, { signal: signal() })).resolves.toEqual({
      uprn: '100090215480',
      services: [
        expect.objectContaining({
          service: 'refuse',
          serviceCode: 'REF',
          container: { type: 'wheelie_bin', sizeLitres: 240 },
          nextDate: '2026-12-01',
        }),
        expect.objectContaining({ service: 'recycling', serviceCode: 'REC', nextDate: '2026-11-24' }),
      ],
    });
  });

  it('refuses a wrong API key as an auth failure', async () => {
    const { instance: a } = await instantiateAdapter(adapter, { baseUrl: sim.url, apiKey: 'wrong-key-123' }, { retry: false });
    await expect(a.getStatus!('MC-000001', { signal: signal() })).rejects.toMatchObject({ classification: 'auth' });
  });

  it('refuses a config without the API key, naming the field', async () => {
    await expect(instantiateAdapter(adapter, { baseUrl: sim.url })).rejects.toMatchObject({
      code: 'LGX_ERR_ADAPTER_CONFIG_INVALID',
      issues: [expect.objectContaining({ path: '/apiKey', rule: 'required' })],
    });
  });
});
