import { createRequire } from 'node:module';
import type { SimulatedSystem } from '@lgx/testkit';

/**
 * The back offices `lgx simulate` can start, in the order they start, each with the package whose
 * `testing` export holds it and its port: the base port (default 8081) plus `offset`.
 */
export const SYSTEMS = [
  { name: 'open311', package: '@lgx/adapter-open311', offset: 0 },
  { name: 'govuk-pay', package: '@lgx/adapter-govuk-pay', offset: 1 },
  { name: 'govuk-notify', package: '@lgx/adapter-govuk-notify', offset: 2 },
  { name: 'street-works', package: '@lgx/adapter-soap', offset: 3 },
  { name: 'revenues', package: '@lgx/adapter-soap', offset: 4 },
  { name: 'example-waste', package: '@lgx/adapter-template', offset: 5 },
  { name: 'dataverse', package: '@lgx/adapter-dataverse', offset: 6 },
  { name: 'salesforce', package: '@lgx/adapter-salesforce', offset: 7 },
  { name: 'alloy', package: '@lgx/adapter-alloy', offset: 8 },
  { name: 'fieldbook', package: '@lgx/adapter-rest', offset: 9 },
] as const;

export type SystemName = (typeof SYSTEMS)[number]['name'];

export const DEFAULT_BASE_PORT = 8081;
/** Beside the default data folder (.lgx-data) of serve, send and status. */
export const DEFAULT_SIMULATOR_DATA = '.lgx-simulators';
/** Where `lgx simulate` writes the addresses of the systems it started, for `lgx init --simulators`. */
export const ADDRESSES_FILE = 'simulators.json';

export function isSystemName(name: string): name is SystemName {
  return SYSTEMS.some((s) => s.name === name);
}

// Resolved from this installation of @lgx/cli, which depends on every reference adapter: the systems
// load wherever the CLI is installed, whatever the current folder holds.
const requireHere = createRequire(__filename);

/** Loads a system from its adapter's `testing` export, by package name. */
export function loadSystem(name: SystemName): SimulatedSystem {
  const entry = SYSTEMS.find((s) => s.name === name)!;
  const specifier = `${entry.package}/testing`;
  let loaded: { simulatedSystems?: readonly SimulatedSystem[] };
  try {
    loaded = requireHere(specifier) as typeof loaded;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(`cannot load ${specifier} (${code}): the ${name} simulator ships there and needs @lgx/testkit installed beside it`, {
      cause: error,
    });
  }
  const system = loaded.simulatedSystems?.find((s) => s.name === name);
  if (!system) throw new Error(`${specifier} has no simulated system '${name}'`);
  return system;
}
