import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LgxError, LgxValidationError, checkCompatibility, isAdapterDefinition, type AdapterDefinition } from '@lgx/core';
import { findInstalledAdapters, nearestAdapter } from './installed-adapters';
import { withLines } from './stack-lines';
import type { StackDefinition } from './stack-types';

/** Where adapter packages are looked up. */
export interface LoadAdaptersOptions {
  /** Folder whose node_modules are searched, as Node would from a file there (default: `process.cwd()`). */
  resolveFrom?: string;
  /** Adapter contract version to check adapters against (default: the one the installed core implements). */
  contractVersion?: string;
}

/** Imports an ES module or CommonJS file by absolute path (a URL, so Windows drive letters work). */
async function importFile(file: string): Promise<unknown> {
  return import(pathToFileURL(file).href);
}

/**
 * The adapter a package exports: its default export or a named `adapter`. CommonJS packages seen
 * through `import()` put `module.exports` on `default`, so that is looked into as well.
 */
function findDefinition(module: unknown): AdapterDefinition | undefined {
  const candidates: unknown[] = [];
  const add = (value: unknown): void => {
    if (typeof value === 'object' && value !== null) {
      candidates.push(value, (value as { default?: unknown }).default, (value as { adapter?: unknown }).adapter);
    }
  };
  add(module);
  add((module as { default?: unknown } | undefined)?.default);
  return candidates.find(isAdapterDefinition);
}

/**
 * Resolves and imports one adapter package, checking it against this core. A package that cannot be
 * found is a stack problem (LGX_ERR_VALIDATION_INVALID at `pointer`, the stack key naming it); one that
 * loads but exports no adapter is LGX_ERR_ADAPTER_DEFINITION_INVALID; a contract range (`sdk`) that
 * does not include the installed core's adapter contract is LGX_ERR_ADAPTER_INCOMPATIBLE naming both.
 */
export async function loadAdapterPackage(packageName: string, options: LoadAdaptersOptions = {}, pointer = ''): Promise<AdapterDefinition> {
  const from = resolve(options.resolveFrom ?? process.cwd());
  // createRequire needs a file inside the folder; it need not exist.
  const requireFrom = createRequire(join(from, 'lgx-stack.js'));
  let file: string;
  try {
    file = requireFrom.resolve(packageName);
  } catch (error) {
    // A typo is likelier than a missing install when a package of nearly that name is installed.
    const near = nearestAdapter(packageName, findInstalledAdapters(from));
    const message = near
      ? `names adapter package '${packageName}', which cannot be found from ${from}: did you mean '${near.name}' (installed, adapter '${near.id}')? Otherwise install it: npm install ${packageName}`
      : `names adapter package '${packageName}', which cannot be found from ${from} (install it: npm install ${packageName})`;
    throw new LgxValidationError(
      [{ path: pointer, rule: 'packageInstalled', message, params: { package: packageName, ...(near ? { suggestion: near.name } : {}) } }],
      {
        subject: 'stack',
        cause: error,
        details: { package: packageName, resolveFrom: from },
      },
    );
  }
  let module: unknown;
  try {
    module = await importFile(file);
  } catch (error) {
    throw new LgxError(
      'LGX_ERR_ADAPTER_DEFINITION_INVALID',
      `adapter package '${packageName}' failed to load: ${(error as Error).message}`,
      {
        cause: error,
        details: { package: packageName, file },
      },
    );
  }
  const definition = findDefinition(module);
  if (!definition) {
    throw new LgxError(
      'LGX_ERR_ADAPTER_DEFINITION_INVALID',
      `package '${packageName}' exports no adapter: export the result of defineAdapter() as default or as 'adapter'`,
      {
        details: { package: packageName, file },
      },
    );
  }
  checkCompatibility(definition, options.contractVersion);
  return definition;
}

/**
 * Loads every adapter package a stack names (each package once) and returns the definitions by
 * instance id. Instances are not created here: the engine does that with `instantiateAdapter`.
 * A stack loaded from a file has its issues point at the line of the package name.
 */
export async function loadAdapters(
  stack: Pick<StackDefinition, 'adapters' | 'source'>,
  options: LoadAdaptersOptions = {},
): Promise<Record<string, AdapterDefinition>> {
  const byPackage = new Map<string, Promise<AdapterDefinition>>();
  const entries = Object.entries(stack.adapters).map(([id, adapter]) => {
    let loading = byPackage.get(adapter.package);
    if (!loading) {
      loading = loadAdapterPackage(adapter.package, options, `/adapters/${id}/package`).catch((error: unknown) => {
        if (error instanceof LgxValidationError && stack.source)
          throw new LgxValidationError(withLines(error.issues, stack.source), {
            subject: `stack ${stack.source.file}`,
            cause: error.cause,
            ...(error.details ? { details: error.details } : {}),
          });
        throw error;
      });
      byPackage.set(adapter.package, loading);
    }
    return loading.then((definition) => [id, definition] as const);
  });
  return Object.fromEntries(await Promise.all(entries));
}
