import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startRestSimulator, SimulatorHttpError, type RestSimulator } from '@lgx/testkit';
import { createSqliteStore, createStack, type RunningStack, type StackConfig, type Store } from '@lgx/runtime';
import {
  createApiKey,
  createMemoryKeyStore,
  startService,
  type Gateway,
  type KeyStore,
  type Scope,
  type Service,
  type ServiceOptions,
} from '../../src';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';

export const COUNCIL = 'E07000223';
export const OTHER_COUNCIL = 'E08000025';
const STREETS_KEY = 'streets-test-key-0001';

export interface StreetsState {
  reports: Map<string, { id: string; kind: string; description: string }>;
  byKey: Map<string, string>;
}

/** The gateway tests' street-works back office: POST /reports, deduplicated on Idempotency-Key. */
export function startStreetsSimulator(): Promise<RestSimulator<StreetsState>> {
  return startRestSimulator<StreetsState>({
    name: 'test-streets',
    state: () => ({ reports: new Map(), byKey: new Map() }),
    auth: (request) => request.headers['x-api-key'] === STREETS_KEY,
    routes: [
      { method: 'GET', path: '/health', handler: () => ({ status: 200, body: { ok: true } }) },
      {
        method: 'POST',
        path: '/reports',
        handler: (request, { state }) => {
          const body = request.json as { kind?: string; description?: string };
          if (typeof body?.kind !== 'string') throw new SimulatorHttpError(400, { error: 'kind is required' });
          const key = String(request.headers['idempotency-key'] ?? '');
          const existing = state.byKey.get(key);
          if (existing) return { status: 200, body: state.reports.get(existing) };
          const id = `SR-${state.reports.size + 1}`;
          state.reports.set(id, { id, kind: body.kind, description: String(body.description) });
          if (key) state.byKey.set(key, id);
          return { status: 201, body: state.reports.get(id) };
        },
      },
    ],
  });
}

/** The Open311 services the tests' stack lists. */
export const OPEN311_SERVICES: NonNullable<StackConfig['open311']> = {
  jurisdiction: 'example.gov.uk',
  contact: 'Highways team, 01234 567890',
  services: [
    {
      code: 'POT',
      name: 'Pothole',
      description: 'A hole in the road surface',
      group: 'Roads',
      keywords: ['road', 'pothole'],
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
        { code: 'easting', description: 'Easting', datatype: 'number', automated: 'server_set', order: 3 },
        { code: 'northing', description: 'Northing', datatype: 'number', automated: 'server_set', order: 4 },
      ],
    },
    {
      code: 'MISSED_REFUSE',
      name: 'Missed refuse collection',
      group: 'Bins',
      type: 'waste.missedCollection',
      service: 'refuse',
      attributes: [
        { code: 'uprn', description: 'Property UPRN', datatype: 'string', required: true, automated: 'hidden_field', field: 'uprn' },
        {
          code: 'collection_date',
          description: 'Which collection was missed?',
          datatype: 'datetime',
          required: true,
          field: 'scheduledDate',
        },
      ],
    },
    {
      code: 'BIN_DAMAGED',
      name: 'Replace a damaged bin',
      group: 'Bins',
      // Handled by the back office in batches: a new request is answered with a token.
      open311Type: 'batch',
      type: 'waste.containerRequest',
      service: 'refuse',
      data: { container: { type: 'wheelie_bin' }, reason: 'damaged' },
      attributes: [
        { code: 'uprn', description: 'Property', datatype: 'string', required: true, automated: 'hidden_field', field: 'uprn' },
        { code: 'bins', description: 'How many bins?', datatype: 'number', required: true, field: 'quantity' },
        {
          code: 'size',
          description: 'Bin size',
          datatype: 'singlevaluelist',
          values: { '140': '140 litres', '240': '240 litres' },
          field: 'container.sizeLitres',
        },
      ],
    },
  ],
};

export interface Harness {
  service: Service;
  gateway: Gateway;
  url: string;
  stack: RunningStack;
  /** The store `stack` was opened on, for tests that look beneath the stack. */
  store: Store;
  /** The SQLite file of that store, for tests that open it again (another process's view). */
  councilFile: string;
  other: RunningStack;
  keys: KeyStore;
  waste: ExampleWasteSimulator;
  streets: RestSimulator<StreetsState>;
  /** Creates a key for a council with scopes. */
  key(scopes: Scope[], council?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A gateway on 127.0.0.1 over two councils' stacks (each its own SQLite file), with the Example
 * Waste simulator and a street-works simulator as back offices.
 */
export async function startHarness(
  options: ServiceOptions = {},
  /** A key-encryption key for the first council's stack (its personal data sealed, its subject index kept). */
  encryption: { key?: string } = {},
): Promise<Harness> {
  const root = mkdtempSync(path.join(__dirname, '..', '.tmp-'));
  // Adapters are loaded by package name: the fixture package goes into a node_modules beside the stack.
  const modules = path.join(root, 'node_modules');
  mkdirSync(modules);
  cpSync(
    path.join(__dirname, '..', 'fixtures', 'adapter-packages', 'lgx-adapter-test-streets'),
    path.join(modules, 'lgx-adapter-test-streets'),
    { recursive: true },
  );
  const waste = await startExampleWasteSimulator();
  const streets = await startStreetsSimulator();
  const definition = async (council: string, open311: boolean) => {
    const config: StackConfig = {
      council,
      adapters: {
        waste: { package: '@lgx/adapter-template', config: { baseUrl: waste.url, apiKey: API_KEY } },
        streets: { package: 'lgx-adapter-test-streets', config: { baseUrl: streets.url, apiKey: STREETS_KEY } },
      },
      routes: [
        { match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] },
        { match: { type: 'waste.collectionSchedule' }, mode: 'one', targets: ['waste'] },
        { match: { type: 'waste.containerRequest' }, mode: 'one', targets: ['waste'] },
        { match: { type: 'street.report' }, mode: 'one', targets: ['streets'] },
      ],
      ...(open311 ? { open311: OPEN311_SERVICES } : {}),
      ...(encryption.key && council === COUNCIL ? { encryption: { key: '${env:LGX_KEK}' } } : {}),
    };
    return createStack(config, { env: { LGX_KEK: encryption.key } });
  };
  // The council's store, for tests that look beneath the stack (what was written, faults on disk).
  let store: Store | undefined;
  const service = await startService([await definition(COUNCIL, true), await definition(OTHER_COUNCIL, false)], {
    // Each council its own SQLite file.
    store: (stack) => {
      const opened = createSqliteStore({ file: path.join(root, stack.council === COUNCIL ? 'council.db' : 'other.db') });
      if (stack.council === COUNCIL) store = opened;
      return opened;
    },
    keys: createMemoryKeyStore(),
    resolveFrom: root,
    worker: { pollIntervalMs: 20, retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 3 }, random: () => 1 },
    // Background health checks and polls would take faults meant for deliveries (failNext): the first
    // health round runs at start, the next only when a test asks for a shorter interval; tests that
    // want status poll when they choose.
    healthCheckIntervalMs: 3_600_000,
    polling: false,
    retention: false,
    ...options,
  });
  const [stack, other] = service.stacks as [RunningStack, RunningStack];
  if (!store) throw new Error('the council stack was opened without its store');
  return {
    service,
    gateway: service.gateway,
    url: service.url,
    stack,
    store,
    councilFile: path.join(root, 'council.db'),
    other,
    keys: service.keys,
    waste,
    streets,
    key: async (scopes, council = COUNCIL) => (await createApiKey(service.keys, { council, scopes })).key,
    async close() {
      await service.stop();
      await waste.close();
      await streets.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
