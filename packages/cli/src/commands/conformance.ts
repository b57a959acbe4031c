import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAdapterDefinition, type AdapterDefinition } from '@lgx/core';
import { runConformance, type ConformanceOptions } from '@lgx/testkit';
import {
  GOVUK_NOTIFY_TEST_API_KEY,
  setNotifyStatus,
  startGovukNotifySimulator,
  type GovukNotifySimulator,
} from '@lgx/adapter-govuk-notify/testing';
import { setOpen311Status, startOpen311Simulator, type Open311Simulator } from '@lgx/adapter-open311/testing';
import { startGovukPaySimulator, type GovukPaySimulator } from '@lgx/adapter-govuk-pay/testing';
import { dataverseSimulatorConfig, startDataverseSimulator, type DataverseSimulator } from '@lgx/adapter-dataverse/testing';
import { salesforceSimulatorConfig, startSalesforceSimulator, type SalesforceSimulator } from '@lgx/adapter-salesforce/testing';
import {
  startStreetWorksSimulator,
  STREET_WORKS_PASSWORD,
  STREET_WORKS_USERNAME,
  type StreetWorksSimulator,
} from '@lgx/adapter-soap/testing';
import { EXIT, json, table, UsageError, type Io } from '../output';
import { need, parse, str } from '../args';

export const conformanceHelp = `lgx conformance <package> [--harness <file>] [--from <dir>] [--json]

Runs the LGX conformance suite against an installed adapter package and its simulator: manifest and
config schema, health, delivery of every declared capability's fixtures, rejection of invalid input,
error classification, timeouts and abort, idempotency, status round trip, no secrets in logs. LGX's
reference adapters (@lgx/adapter-govuk-pay, -govuk-notify, -open311, -soap, -dataverse, -salesforce) run against the
simulators in their own testing exports as they are; any other adapter needs --harness: a module whose default export is the
suite's options ({ simulator, config, countRecords?, changeStatus? }, see @lgx/testkit). Exit 0 when
every check passes, 1 otherwise.`;

type Harness = { options: ConformanceOptions<unknown, never>; adapter?: (module: Record<string, unknown>) => AdapterDefinition };

/** The contact id the crm.case and crm.contact fixtures name. */
const CRM_FIXTURE_CONTACT = '0f3c5a7e-1b2d-4e6f-8a9b-c0d1e2f3a4b5';

/** Harnesses for LGX's reference adapters, against the simulators of their `testing` exports. */
const REFERENCE: Record<string, () => Harness> = {
  '@lgx/adapter-govuk-pay': () => ({
    options: {
      simulator: () => startGovukPaySimulator(),
      config: (sim: GovukPaySimulator) => ({ baseUrl: sim.url, apiKey: sim.apiKey, webhookSigningSecret: sim.webhookSigningSecret }),
      countRecords: (sim: GovukPaySimulator) => sim.state.payments.size,
      changeStatus: (sim: GovukPaySimulator, ref: string) => void sim.complete(ref),
    } as unknown as ConformanceOptions<unknown, never>,
  }),
  '@lgx/adapter-govuk-notify': () => ({
    options: {
      simulator: () => startGovukNotifySimulator({ deliveryDelayMs: 3_600_000 }),
      config: (sim: GovukNotifySimulator) => ({ baseUrl: sim.url, apiKey: GOVUK_NOTIFY_TEST_API_KEY }),
      countRecords: (sim: GovukNotifySimulator) => sim.state.notifications.size,
      changeStatus: (sim: GovukNotifySimulator, ref: string) => void setNotifyStatus(sim, ref, 'sending'),
    } as unknown as ConformanceOptions<unknown, never>,
  }),
  '@lgx/adapter-open311': () => ({
    options: {
      simulator: () => startOpen311Simulator(),
      config: (sim: Open311Simulator) => ({ baseUrl: sim.endpoint, apiKey: sim.apiKey }),
      countRecords: (sim: Open311Simulator) => sim.state.requests.size,
      changeStatus: (sim: Open311Simulator, ref: string) => void setOpen311Status(sim, ref, 'action_scheduled'),
    } as unknown as ConformanceOptions<unknown, never>,
  }),
  '@lgx/adapter-soap': () => ({
    // The declarative adapter serves what its mapping maps: here the street-works example, with WS-Security.
    adapter: (module) => (module.defineSoapAdapter as (types: string[]) => AdapterDefinition)(['street.report']),
    options: {
      simulator: () => startStreetWorksSimulator({ auth: 'wsSecurity' }),
      config: (sim: StreetWorksSimulator) => ({ wsdl: sim.wsdlUrl, auth: { type: 'wsSecurity', username: STREET_WORKS_USERNAME, password: STREET_WORKS_PASSWORD } }),
      countRecords: (sim: StreetWorksSimulator) => sim.state.defects.size,
      changeStatus: (sim: StreetWorksSimulator, ref: string) => sim.setStatus(ref, 'COMPLETED'),
    } as unknown as ConformanceOptions<unknown, never>,
  }),
  '@lgx/adapter-dataverse': () => ({
    options: {
      // The contact the crm.case and crm.contact fixtures name, as a CRM that already holds it.
      simulator: () => startDataverseSimulator({ contacts: [{ contactid: CRM_FIXTURE_CONTACT, lastname: 'Example' }] }),
      config: (sim: DataverseSimulator) => dataverseSimulatorConfig(sim),
      countRecords: (sim: DataverseSimulator) => sim.state.incidents.size,
      changeStatus: (sim: DataverseSimulator, ref: string) => sim.resolve(ref),
    } as unknown as ConformanceOptions<unknown, never>,
  }),
  '@lgx/adapter-salesforce': () => ({
    options: {
      simulator: () => startSalesforceSimulator({ contacts: [{ LastName: 'Example', LGX_Contact_Ref__c: CRM_FIXTURE_CONTACT }] }),
      config: (sim: SalesforceSimulator) => salesforceSimulatorConfig(sim),
      countRecords: (sim: SalesforceSimulator) => sim.state.cases.size,
      changeStatus: (sim: SalesforceSimulator, ref: string) => sim.setCaseStatus(ref, 'Working'),
    } as unknown as ConformanceOptions<unknown, never>,
  }),
};

async function importFrom(from: string, specifier: string): Promise<Record<string, unknown>> {
  const file = specifier.startsWith('.') || path.isAbsolute(specifier) ? path.resolve(from, specifier) : createRequire(path.join(from, 'lgx.js')).resolve(specifier);
  const loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  // CommonJS modules seen through import() put module.exports on default.
  return (typeof loaded.default === 'object' && loaded.default !== null ? { ...(loaded.default as Record<string, unknown>), ...loaded } : loaded) as Record<string, unknown>;
}

export async function conformanceCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { harness: { type: 'string' }, from: { type: 'string' } });
  if (values.help) return io.out(conformanceHelp), EXIT.ok;
  const name = need(positionals, 0, 'adapter package name');
  const from = path.resolve(str(values, 'from', '.'));
  const module = await importFrom(from, name);
  let harness: Harness;
  const harnessFile = str(values, 'harness');
  if (harnessFile) {
    const loaded = await importFrom(from, harnessFile);
    let options = (loaded.default ?? loaded) as Record<string, unknown>;
    // A TypeScript harness compiled to CommonJS on the fly (tsx) puts its `export default` one level down.
    while (typeof options.simulator !== 'function' && typeof options.default === 'object' && options.default !== null) options = options.default as Record<string, unknown>;
    harness = { options: options as unknown as ConformanceOptions<unknown, never> };
  } else if (REFERENCE[name]) {
    harness = REFERENCE[name]!();
  } else {
    throw new UsageError(`${name} is not one of LGX's reference adapters: give its simulator and config with --harness <file>`);
  }
  const definition = harness.adapter ? harness.adapter(module) : [module.default, module.adapter].find(isAdapterDefinition);
  if (!definition || !isAdapterDefinition(definition)) throw new UsageError(`${name} exports no adapter (defineAdapter() as default or as 'adapter')`);
  if (!values.json) io.err(`running the conformance suite on ${name} (${definition.manifest.id} ${definition.manifest.version})…`);
  const results = await runConformance(definition, harness.options);
  const failed = results.filter((r) => r.status === 'fail');
  if (values.json) io.out(json({ package: name, passed: failed.length === 0, results }));
  else {
    io.out(table(['check', 'result', 'detail'], results.map((r) => [r.title, r.status === 'pass' ? 'pass' : r.status === 'skip' ? 'skipped' : 'FAIL', r.message ?? ''])));
    io.out(`\n${results.length - failed.length - results.filter((r) => r.status === 'skip').length} passed, ${failed.length} failed, ${results.filter((r) => r.status === 'skip').length} skipped`);
  }
  return failed.length === 0 ? EXIT.ok : EXIT.failed;
}
