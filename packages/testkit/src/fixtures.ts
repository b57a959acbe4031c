import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  schemaRegistry,
  type QueryParamsMap,
  type QueryResultMap,
  type QueryType,
  type TransactionDataMap,
  type TransactionDataVersions,
  type TransactionType,
} from '@lgx/core';

/** A canonical example shipped with @lgx/core. */
export interface CanonicalFixture<Data = unknown> {
  /** File name without `.json`. */
  name: string;
  description: string;
  /** For invalid fixtures: the JSON pointer and the JSON Schema keyword validation reports. */
  expect?: { path: string; rule: string };
  data: Data;
}

/** `result`: a query's valid results. */
export type FixtureKind = 'valid' | 'invalid' | 'result';

export interface LoadFixturesOptions {
  kind: FixtureKind;
  /** Major version (default: the latest the installed @lgx/core registers). */
  version?: number;
}

/** A transaction type's data at the version the options ask for (the latest when they name none). */
type DataAt<K extends TransactionType, O> = O extends { version: infer V }
  ? V extends keyof TransactionDataVersions[K]
    ? TransactionDataVersions[K][V]
    : unknown
  : TransactionDataMap[K];

/**
 * What the fixtures' data is: a canonical type's data (valid transactions and query parameters) or
 * result (valid query results), as the schemas define them; `unknown` for invalid fixtures and other
 * types. A test checks every shipped fixture against its schema, so the type is what the data holds.
 */
export type FixtureData<K extends string, O extends LoadFixturesOptions> = O['kind'] extends 'valid'
  ? K extends TransactionType
    ? DataAt<K, O>
    : K extends QueryType
      ? QueryParamsMap[K]
      : unknown
  : O['kind'] extends 'result'
    ? K extends QueryType
      ? QueryResultMap[K]
      : unknown
    : unknown;

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
    if (typeof f.expect?.path !== 'string' || typeof f.expect.rule !== 'string')
      throw new Error(`fixture ${file}: "expect" must be { "path": "...", "rule": "..." }`);
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
export function loadFixtures<const K extends string, const O extends LoadFixturesOptions>(
  type: K,
  options: O,
): Array<CanonicalFixture<FixtureData<K, O>>> {
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
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  if (files.length === 0) {
    const why = options.kind === 'result' ? ' (only query types have results)' : '';
    throw new Error(`@lgx/core ships no ${options.kind} fixtures for ${type} v${version}${why}`);
  }
  // The data is what the schemas define: every shipped fixture is validated against its schema.
  return files.map((file) => readFixture(path.join(dir, file), options.kind) as CanonicalFixture<FixtureData<K, O>>);
}

/** The types @lgx/core ships fixtures for, sorted. */
export function listFixtureTypes(): string[] {
  return subdirectories(fixturesRoot());
}
