import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { schemaRegistry } from '@lgx/core';

/** A canonical example shipped with @lgx/core. */
export interface CanonicalFixture {
  /** File name without `.json`. */
  name: string;
  description: string;
  /** For invalid fixtures: the JSON pointer and the JSON Schema keyword validation reports. */
  expect?: { path: string; rule: string };
  data: unknown;
}

/** `result`: a query's valid results. */
export type FixtureKind = 'valid' | 'invalid' | 'result';

export interface LoadFixturesOptions {
  kind: FixtureKind;
  /** Major version (default: the latest the installed @lgx/core registers). */
  version?: number;
}

// The ESM build has no `__filename`; there the consumer's working directory is the best anchor.
const requireHere = createRequire(__filename);

function fixturesRoot(): string {
  return path.join(path.dirname(requireHere.resolve('@lgx/core/package.json')), 'fixtures');
}

function subdirectories(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function readFixture(file: string, kind: FixtureKind): CanonicalFixture {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new Error(`fixture ${file} is not valid JSON`, { cause });
  }
  const f = parsed as { description?: unknown; expect?: { path?: unknown; rule?: unknown }; data?: unknown } | null;
  if (typeof f !== 'object' || f === null || typeof f.description !== 'string' || !('data' in f)) {
    throw new Error(`fixture ${file} must be { "description": "...", "data": ... }`);
  }
  const fixture: CanonicalFixture = { name: path.basename(file, '.json'), description: f.description, data: f.data };
  if (f.expect !== undefined) {
    if (typeof f.expect?.path !== 'string' || typeof f.expect.rule !== 'string') throw new Error(`fixture ${file}: "expect" must be { "path": "...", "rule": "..." }`);
    fixture.expect = { path: f.expect.path, rule: f.expect.rule };
  } else if (kind === 'invalid') {
    throw new Error(`invalid fixture ${file} has no "expect"`);
  }
  return fixture;
}

/**
 * The valid or invalid fixtures of a type (or, for a query, its valid results) at a major version,
 * read fresh from the `fixtures/` folder @lgx/core ships, sorted by name. A type, version or kind
 * with no fixtures throws, so a typo never turns into a test that checks nothing.
 */
export function loadFixtures(type: string, options: LoadFixturesOptions): CanonicalFixture[] {
  // Type names become folder names: keep them from walking out of the fixtures folder.
  if (!/^[A-Za-z0-9][A-Za-z0-9.]*$/.test(type)) throw new Error(`'${type}' is not a transaction or query type name`);
  const version = options.version ?? schemaRegistry().get(type).major;
  const typeDir = path.join(fixturesRoot(), type);
  const versions = subdirectories(typeDir);
  if (!versions.includes(`v${version}`)) {
    const known = versions.length > 0 ? `it has ${versions.join(', ')}` : `types with fixtures: ${listFixtureTypes().join(', ')}`;
    throw new Error(`@lgx/core ships no fixtures for ${type} v${version}; ${known}`);
  }
  const dir = path.join(typeDir, `v${version}`, ...(options.kind === 'result' ? ['result', 'valid'] : [options.kind]));
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  if (files.length === 0) {
    const why = options.kind === 'result' ? ' (only query types have results)' : '';
    throw new Error(`@lgx/core ships no ${options.kind} fixtures for ${type} v${version}${why}`);
  }
  return files.map((file) => readFixture(path.join(dir, file), options.kind));
}

/** The types @lgx/core ships fixtures for, sorted. */
export function listFixtureTypes(): string[] {
  return subdirectories(fixturesRoot());
}
