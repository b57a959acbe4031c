import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAdapterDefinition } from '@lgx/core';
import type { ConformanceHarness } from '@lgx/testkit';
import { UsageError } from '../output';

/** A harness as the command holds it: its simulator's type is the package's own, unknown here. */
export type LoadedHarness = ConformanceHarness<unknown, never>;

/** Resolves `specifier` as node would from a file in `from` (a package name, or a path relative to `from`). */
function resolveFrom(from: string, specifier: string): string {
  return specifier.startsWith('.') || path.isAbsolute(specifier)
    ? path.resolve(from, specifier)
    : createRequire(path.join(from, 'lgx.js')).resolve(specifier);
}

/** A module's exports, by file; CommonJS modules seen through import() put module.exports on default, so both are merged. */
async function importFile(file: string): Promise<Record<string, unknown>> {
  const loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return typeof loaded.default === 'object' && loaded.default !== null
    ? { ...(loaded.default as Record<string, unknown>), ...loaded }
    : loaded;
}

export async function importFrom(from: string, specifier: string): Promise<Record<string, unknown>> {
  return importFile(resolveFrom(from, specifier));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** True when `value` has the shape of a conformance harness: `{ adapter?, options: { simulator, config, ... } }`. */
function isHarness(value: unknown): value is LoadedHarness {
  if (!isRecord(value) || !isRecord(value.options)) return false;
  const { options } = value;
  return (
    typeof options.simulator === 'function' &&
    typeof options.config === 'function' &&
    (value.adapter === undefined || isAdapterDefinition(value.adapter))
  );
}

/**
 * The harness in a `--harness` file: its `conformanceHarness` export (as a package's `testing` entry
 * has it), or a default export that is a harness or the suite's options alone.
 */
export async function harnessFromFile(from: string, file: string): Promise<LoadedHarness> {
  const loaded = await importFrom(from, file);
  if (isHarness(loaded.conformanceHarness)) return loaded.conformanceHarness;
  let candidate: unknown = loaded.default ?? loaded;
  // A TypeScript harness compiled to CommonJS on the fly (tsx) puts its `export default` one level down.
  while (isRecord(candidate) && typeof candidate.simulator !== 'function' && !isHarness(candidate) && isRecord(candidate.default))
    candidate = candidate.default;
  if (isHarness(candidate)) return candidate;
  const options = { options: candidate };
  if (isHarness(options)) return options;
  throw new UsageError(
    `${file} exports no conformance harness: export conformanceHarness ({ adapter?, options }) or, as default, the suite's options ({ simulator, config, countRecords?, changeStatus? })`,
  );
}

/**
 * The harness an adapter package ships as `conformanceHarness` in its `testing` export, where its own
 * conformance test takes it from.
 */
export async function packageHarness(from: string, name: string): Promise<LoadedHarness> {
  const entry = `${name}/testing`;
  let file: string;
  try {
    file = resolveFrom(from, entry);
  } catch {
    throw new UsageError(`${name} has no 'testing' export with a conformance harness: give its simulator and config with --harness <file>`);
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = await importFile(file);
  } catch (error) {
    throw new Error(
      `cannot load ${entry}: ${(error as Error).message} (a package's testing export needs @lgx/testkit installed beside it)`,
      { cause: error },
    );
  }
  if (!isHarness(loaded.conformanceHarness))
    throw new UsageError(`${entry} exports no conformanceHarness: give the adapter's simulator and config with --harness <file>`);
  return loaded.conformanceHarness;
}
