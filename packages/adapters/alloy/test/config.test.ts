import { instantiateAdapter } from '@lgx/core/host';
import { EXAMPLE_DESIGNS, REPORT, startAlloySimulator, type AlloySimulator } from '../src/testing';
import adapter, { alloyExampleConfig, type AlloyConfig } from '../src';
import { fixture, instance, rejection, signal, tx } from './helpers';

let sim: AlloySimulator;
beforeAll(async () => {
  sim = await startAlloySimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const config = (): AlloyConfig => alloyExampleConfig(sim.apiUrl, sim.apiKey);
const create = (c: unknown, mappings: Record<string, Record<string, string>> = {}) =>
  rejection(instantiateAdapter(adapter, c, { retry: false, mappings }));

describe('configuration', () => {
  it('names each field the schema refuses, without echoing the key', async () => {
    const c = config() as unknown as Record<string, unknown> & { types: Record<string, Record<string, unknown>> };
    c.types['street.report']!.designCode = 'customerReports';
    c.types['street.report']!.transactionIdAttribute = 'lgxId';
    c.keyIn = 'cookie';
    const error = await create(c);
    expect(error.code).toBe('LGX_ERR_ADAPTER_CONFIG_INVALID');
    const paths = (error.issues as Array<{ path: string }>).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/types/street.report/designCode', '/types/street.report/transactionIdAttribute', '/keyIn']),
    );
    expect(JSON.stringify(error)).not.toContain(sim.apiKey);
  });

  it('refuses a type the adapter does not serve', async () => {
    const c = config() as unknown as { types: Record<string, unknown> };
    c.types['payment'] = c.types['street.report'];
    const error = await create(c);
    expect(error).toMatchObject({
      code: 'LGX_ERR_ADAPTER_CONFIG_INVALID',
      issues: expect.arrayContaining([expect.objectContaining({ path: '/types/payment', rule: 'additionalProperties' })]),
    });
  });

  it('refuses, naming the paths, an attribute written twice and a mapping table the stack does not define', async () => {
    const c = config();
    const report = c.types['street.report']!;
    report.attributes[REPORT.lgxId] = { from: '/id' };
    report.attributes[REPORT.usrn] = { from: '/data/location/usrn', table: 'usrnAliases' };
    const error = await create(c);
    expect(error.code).toBe('LGX_ERR_ADAPTER_CONFIG_INVALID');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: `/types/street.report/attributes/${REPORT.lgxId}`, rule: 'attributeOnce' }),
        expect.objectContaining({ path: `/types/street.report/attributes/${REPORT.usrn}/table`, rule: 'mappingTable' }),
      ]),
    );
  });

  it("uses the stack's mapping table over the inline map", async () => {
    const c = config();
    const category = c.types['street.report']!.attributes[REPORT.category] as { table?: string };
    category.table = 'alloyCategory';
    const other = '6650a1c2e3b4d5f6a7b81019';
    const { instance: a } = await instantiateAdapter(adapter, c, { retry: false, mappings: { alloyCategory: { street_light: other } } });
    await a.submit!(tx('street.report', fixture('street.report', 'street-light-by-asset')) as never, { signal: signal() });
    const body = JSON.parse(sim.requests.find((r) => r.method === 'POST' && r.path === '/api/item')!.body) as {
      attributes: Array<{ attributeCode: string; value: unknown }>;
    };
    expect(body.attributes.find((x) => x.attributeCode === REPORT.category)?.value).toEqual([other]);
  });
});

describe('check', () => {
  it('is ok when every configured design has every attribute the mapping names', async () => {
    const { a } = await instance(sim);
    await expect(a.check!({ signal: signal() })).resolves.toMatchObject({ ok: true });
    expect(sim.requests.filter((r) => r.path.startsWith('/api/design/'))).toHaveLength(3);
  });

  it('names the attributes a design no longer has', async () => {
    const designs = EXAMPLE_DESIGNS.map((d) =>
      d.code === REPORT.design ? { ...d, attributes: d.attributes.filter((x) => x.code !== REPORT.hazard) } : d,
    );
    const changed = await startAlloySimulator({ designs });
    try {
      const { instance: a } = await instantiateAdapter(adapter, alloyExampleConfig(changed.apiUrl, changed.apiKey), { retry: false });
      const report = await a.check!({ signal: signal() });
      expect(report.ok).toBe(false);
      expect(report.message).toContain(`design ${REPORT.design} (street.report) has no attribute ${REPORT.hazard}`);
    } finally {
      await changed.close();
    }
  });

  it('is not ok when the key is refused', async () => {
    const { a } = await instance(sim, (c) => ({ ...c, apiKey: 'a-key-alloy-does-not-know' }));
    const report = await a.check!({ signal: signal() });
    expect(report).toMatchObject({ ok: false });
    expect(report.message).toContain('401');
    expect(report.message).not.toContain('a-key-alloy-does-not-know');
  });
});
