import { stringify } from 'yaml';
import type { SimulatedStack, SimulatedSystem } from '@lgx/testkit';
import type { SystemName } from './systems';

/** A system running (or expected) at a base URL. */
export interface PlacedSystem {
  name: SystemName;
  system: SimulatedSystem;
  /** The server's base URL, e.g. http://127.0.0.1:8081. */
  url: string;
}

/** A stack file's adapters and routes for a set of simulated systems, with what the stack needs to run. */
export interface SimulatedStackFile {
  adapters: Record<string, { package: string; config: Record<string, unknown> }>;
  routes: Array<
    { match: { type: string }; mode: 'one'; targets: [string] } | { match: { type: string }; mode: 'fallback'; targets: [string, string] }
  >;
  /** The value of every `${env:NAME}` the adapters' config names. */
  env: Record<string, string>;
  /** Per system: what else a council needs to use it. */
  notes: Record<string, string[]>;
  /** Types more than one system takes, and the systems not routed to for them. */
  alsoServedBy: Record<string, string[]>;
}

/**
 * Where a type goes when several running systems take it: the first of this list that runs. The
 * specialist first (street works for street reports), then the general ones; the CRMs before Alloy
 * for cases, and the Open311 back office before Alloy and the REST example for street reports.
 */
const ROUTE_PREFERENCE: readonly SystemName[] = [
  'street-works',
  'revenues',
  'govuk-pay',
  'govuk-notify',
  'open311',
  'example-waste',
  'dataverse',
  'salesforce',
  'alloy',
  'fieldbook',
];

/** A system that, when it takes a type first, falls back to another taking it too: a case Dynamics refuses for good goes to Salesforce. */
const FALLBACK: Partial<Record<SystemName, SystemName>> = { dataverse: 'salesforce' };

/** The stack entries of `systems`; each is an adapter instance named after the system. */
export function stackFor(systems: readonly PlacedSystem[]): SimulatedStackFile {
  const stacks = new Map<SystemName, SimulatedStack>(systems.map((s) => [s.name, s.system.stack(s.url)]));
  const out: SimulatedStackFile = { adapters: {}, routes: [], env: {}, notes: {}, alsoServedBy: {} };
  for (const { name } of systems) {
    const stack = stacks.get(name)!;
    out.adapters[name] = { package: stack.package, config: stack.config };
    Object.assign(out.env, stack.env);
    out.notes[name] = stack.notes;
  }
  const byPreference = [...systems].sort((a, b) => ROUTE_PREFERENCE.indexOf(a.name) - ROUTE_PREFERENCE.indexOf(b.name));
  const types = [...new Set(systems.flatMap((s) => stacks.get(s.name)!.types))];
  for (const type of types) {
    const takers = byPreference.filter((s) => stacks.get(s.name)!.types.includes(type)).map((s) => s.name);
    const second = FALLBACK[takers[0]!];
    const fallback = second !== undefined && takers.includes(second) ? second : undefined;
    out.routes.push(
      fallback
        ? { match: { type }, mode: 'fallback', targets: [takers[0]!, fallback] }
        : { match: { type }, mode: 'one', targets: [takers[0]!] },
    );
    const others = takers.slice(1).filter((t) => t !== fallback);
    if (others.length) out.alsoServedBy[type] = others;
  }
  return out;
}

/** The adapters and routes as YAML to paste into (or start) a stack file. */
export function stackYaml(stack: SimulatedStackFile): string {
  const routes = stack.routes.map(
    (r) =>
      `  - { match: { type: ${r.match.type} }, mode: ${r.mode}, targets: [${r.targets.join(', ')}] }${stack.alsoServedBy[r.match.type] ? `   # also served by ${stack.alsoServedBy[r.match.type]!.join(', ')}` : ''}`,
  );
  return `${stringify({ adapters: stack.adapters }, { lineWidth: 0 })}routes:\n${routes.join('\n')}\n`;
}

/** `export NAME=value` lines for a POSIX shell; values are the simulators' test credentials. */
export function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(
    ([name, value]) => `export ${name}=${/^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`}`,
  );
}
