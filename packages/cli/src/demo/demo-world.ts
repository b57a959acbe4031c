import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createLogger, type Logger } from '@lgx/core';
import type { SimulatedSystem } from '@lgx/testkit';
import { createApiKey, createMemoryKeyStore, startService, type Gateway, type Service, type ServiceOptions } from '@lgx/gateway';
import { createStack, type RunningStack, type StackConfig } from '@lgx/runtime';
import { dataverseSystem, startDataverseSimulator, type DataverseSimulator } from '@lgx/adapter-dataverse/testing';
import { salesforceSystem, startSalesforceSimulator, type SalesforceSimulator } from '@lgx/adapter-salesforce/testing';
import { GOVUK_NOTIFY_TEST_API_KEY, startGovukNotifySimulator, type GovukNotifySimulator } from '@lgx/adapter-govuk-notify/testing';
import { startGovukPaySimulator, type GovukPaySimulator } from '@lgx/adapter-govuk-pay/testing';
import { startOpen311Simulator, type Open311Simulator } from '@lgx/adapter-open311/testing';
import {
  REVENUES_PASSWORD,
  revenuesMapping,
  startRevenuesSimulator,
  startStreetWorksSimulator,
  STREET_WORKS_PASSWORD,
  STREET_WORKS_USERNAME,
  type RevenuesSimulator,
  type StreetWorksSimulator,
} from '@lgx/adapter-soap/testing';

export const DEMO_COUNCIL = 'E07000223';

/** A resident the demo council's Dynamics 365 already holds as a contact. */
export const DEMO_KNOWN_CONTACT = '0f3c5a7e-1b2d-4e6f-8a9b-c0d1e2f3a4b5';

/** The simulated back offices of the demo council. */
export interface BackOffices {
  streetworks: StreetWorksSimulator;
  revenues: RevenuesSimulator;
  waste: Open311Simulator;
  pay: GovukPaySimulator;
  notify: GovukNotifySimulator;
  /** The council's CRM, Dynamics 365. */
  crm: DataverseSimulator;
  /** The CRM a case goes to when Dynamics refuses it for good (a social care team's Salesforce org). */
  crmFallback: SalesforceSimulator;
}

export interface DemoWorld {
  backOffices: BackOffices;
  stack: RunningStack;
  gateway: Gateway;
  url: string;
  /** An API key of the demo council with every scope. */
  key: string;
  dataDir: string;
  close(): Promise<void>;
}

/** The Streetworks Exchange mapping that ships with @lgx/adapter-soap, with ${env:…} placeholders. */
function streetWorksMapping(resolveFrom: string): Record<string, unknown> {
  const requireFrom = createRequire(path.join(resolveFrom, 'lgx-demo.js'));
  const dir = path.dirname(requireFrom.resolve('@lgx/adapter-soap/package.json'));
  return JSON.parse(readFileSync(path.join(dir, 'examples', 'street-works.json'), 'utf8')) as Record<string, unknown>;
}

/** Where the demo finds the reference adapters: beside the CLI (installed with it), else the current folder. */
export function demoResolveFrom(): string {
  return path.join(__dirname, '..');
}

/** The adapter entry a simulated system gives for itself, as a council would paste it. */
function simulatedEntry(system: SimulatedSystem, url: string): { package: string; config: Record<string, unknown> } {
  const { package: name, config } = system.stack(url);
  return { package: name, config };
}

/**
 * The demo council's stack: a back office per kind of work, cases to Dynamics 365 with Salesforce as
 * the fallback, and the Open311 services.
 */
export function demoStackConfig(b: BackOffices, resolveFrom: string): StackConfig {
  // No anonymous customer: Dynamics refuses a case without a contact for good, and it falls back.
  const dynamics = simulatedEntry(dataverseSystem, b.crm.url);
  delete dynamics.config.anonymousCustomer;
  return {
    council: DEMO_COUNCIL,
    adapters: {
      streetworks: { package: '@lgx/adapter-soap', config: streetWorksMapping(resolveFrom) },
      revenues: { package: '@lgx/adapter-soap', config: revenuesMapping(b.revenues.wsdlUrl) },
      // The waste contractor's Open311 service list has no garden waste (another contractor collects it).
      waste: {
        package: '@lgx/adapter-open311',
        config: {
          baseUrl: b.waste.endpoint,
          apiKey: '${env:WASTE_OPEN311_KEY}',
          format: 'xml',
          serviceCodes: { 'waste.missedCollection:garden': 'GARDEN-NOT-OFFERED' },
        },
      },
      payments: {
        package: '@lgx/adapter-govuk-pay',
        config: { baseUrl: b.pay.url, apiKey: '${env:GOVUK_PAY_API_KEY}', webhookSigningSecret: '${env:GOVUK_PAY_WEBHOOK_SECRET}' },
      },
      notify: { package: '@lgx/adapter-govuk-notify', config: { baseUrl: b.notify.url, apiKey: '${env:GOVUK_NOTIFY_API_KEY}' } },
      dynamics,
      salesforce: simulatedEntry(salesforceSystem, b.crmFallback.url),
    },
    routes: [
      { match: { type: 'street.report' }, mode: 'one', targets: ['streetworks'] },
      { match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] },
      { match: { type: 'councilTax.changeOfAddress' }, mode: 'one', targets: ['revenues'] },
      { match: { type: 'payment' }, mode: 'one', targets: ['payments'] },
      { match: { type: 'notification' }, mode: 'one', targets: ['notify'] },
      { match: { type: 'crm.case' }, mode: 'fallback', targets: ['dynamics', 'salesforce'] },
    ],
    open311: {
      jurisdiction: 'demo.example.gov.uk',
      contact: 'Demo council highways team',
      services: [
        {
          code: 'POT',
          name: 'Pothole',
          description: 'A hole or crack in the road',
          group: 'Roads',
          keywords: ['pothole', 'road'],
          type: 'street.report',
          kind: 'pothole',
          lgsl: 557,
          attributes: [
            {
              code: 'depth',
              description: 'How deep is it?',
              datatype: 'singlevaluelist',
              required: true,
              order: 1,
              values: { shallow: 'Under 5 cm', deep: '5 cm or more' },
            },
            { code: 'fixmystreet_id', description: 'FixMyStreet report id', datatype: 'string', automated: 'server_set', order: 2 },
          ],
        },
        {
          code: 'LIGHT',
          name: 'Street light not working',
          group: 'Street lighting',
          type: 'street.report',
          kind: 'street_light',
          lgsl: 564,
          attributes: [{ code: 'column', description: 'Column number', datatype: 'string', field: 'assetReference' }],
        },
        {
          code: 'MISSED_REFUSE',
          name: 'Missed refuse collection',
          group: 'Bins',
          type: 'waste.missedCollection',
          service: 'refuse',
          attributes: [
            { code: 'uprn', description: 'Property', datatype: 'string', required: true, automated: 'hidden_field', field: 'uprn' },
            {
              code: 'collection_date',
              description: 'Which collection was missed?',
              datatype: 'datetime',
              required: true,
              field: 'scheduledDate',
            },
          ],
        },
      ],
    },
  };
}

export async function startBackOffices(): Promise<BackOffices> {
  return {
    streetworks: await startStreetWorksSimulator(),
    revenues: await startRevenuesSimulator(),
    waste: await startOpen311Simulator(),
    pay: await startGovukPaySimulator(),
    notify: await startGovukNotifySimulator({ deliveryDelayMs: 1500 }),
    crm: await startDataverseSimulator({
      authorityOnSamePort: true,
      contacts: [{ contactid: DEMO_KNOWN_CONTACT, firstname: 'Sam', lastname: 'Example' }],
    }),
    crmFallback: await startSalesforceSimulator(),
  };
}

/**
 * Starts the demo: back offices, and the stack served on a fresh SQLite file (or `dataDir`) by the
 * gateway on `port` (0: any free port). Status polling is not started: call `stack.polling.start()`.
 */
export async function startDemoWorld(
  options: { port?: number; dataDir?: string; logger?: Logger; pollIntervalMs?: number } = {},
): Promise<DemoWorld> {
  const backOffices = await startBackOffices();
  const resolveFrom = demoResolveFrom();
  // Secrets reach the stack the way they would in production: through ${env:…} references.
  const env = {
    STREETWORKS_WSDL: backOffices.streetworks.wsdlUrl,
    STREETWORKS_USERNAME: STREET_WORKS_USERNAME,
    STREETWORKS_PASSWORD: STREET_WORKS_PASSWORD,
    REVENUES_PASSWORD,
    WASTE_OPEN311_KEY: backOffices.waste.apiKey,
    GOVUK_PAY_API_KEY: backOffices.pay.apiKey,
    GOVUK_PAY_WEBHOOK_SECRET: backOffices.pay.webhookSigningSecret,
    GOVUK_NOTIFY_API_KEY: GOVUK_NOTIFY_TEST_API_KEY,
    ...dataverseSystem.stack(backOffices.crm.url).env,
    ...salesforceSystem.stack(backOffices.crmFallback.url).env,
  };
  const definition = await createStack(demoStackConfig(backOffices, resolveFrom), { env });
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'lgx-demo-'));
  const keys = createMemoryKeyStore();
  const { key } = await createApiKey(keys, { council: DEMO_COUNCIL, scopes: ['admin'], label: 'demo' });
  const serviceOptions: ServiceOptions = {
    dataDir,
    keys,
    resolveFrom,
    logger: options.logger ?? createLogger({ level: 'error', secrets: definition.secrets }),
    // Short waits so the demo's scripted failures recover within seconds.
    worker: { pollIntervalMs: 50, attemptTimeoutMs: 2000, retry: { baseDelayMs: 250, maxDelayMs: 1500, maxAttempts: 5 } },
    // Started after the batch: a poll would take the faults the batch scripts for deliveries.
    polling: { intervalMs: options.pollIntervalMs ?? 500, start: false },
    // Checked once a minute: a check that met a fault the demo scripts for a delivery would spoil it.
    healthCheckIntervalMs: 60_000,
    retention: false,
  };
  let service: Service;
  try {
    service = await startService(definition, { ...serviceOptions, port: options.port ?? 0 });
  } catch (error) {
    // The usual port is taken (another demo?): any free one will do.
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    service = await startService(definition, { ...serviceOptions, port: 0 });
  }
  return {
    backOffices,
    stack: service.stack,
    gateway: service.gateway,
    url: service.url,
    key,
    dataDir,
    async close() {
      await service.stop(5000);
      for (const sim of Object.values(backOffices)) await sim.close();
      // A data folder the demo made for itself goes with it; one the user named stays.
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
