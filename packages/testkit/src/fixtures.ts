import fs from 'node:fs';
import path from 'node:path';
import { schemaRegistry } from '@lgx/core';

/** A canonical example shipped with @lgx/core. */
export interface CanonicalFixture {
  /** File name without `.json`. */
  name: string;
  description: string;
  /** For invalid fixtures: the JSON pointer and rule validation reports. */
  expect?: { path: string; rule: string };
  data: unknown;
}

export type FixtureKind = 'valid' | 'invalid' | 'result';

function fixturesRoot(): string {
  return path.join(path.dirname(require.resolve('@lgx/core/package.json')), 'fixtures');
}

/**
 * The valid or invalid fixtures of a type (or, for a query, its valid results), at a major version
 * (default: the latest), read from the `fixtures/` folder @lgx/core ships.
 */
export function loadFixtures(type: string, options: { kind: FixtureKind; version?: number }): CanonicalFixture[] {
  const version = options.version ?? schemaRegistry().get(type).major;
  const sub = options.kind === 'result' ? ['result', 'valid'] : [options.kind];
  const dir = path.join(fixturesRoot(), type, `v${version}`, ...sub);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Omit<CanonicalFixture, 'name'>;
      return { name: file.replace(/\.json$/, ''), ...parsed };
    });
}

/** Types that have fixtures. */
export function listFixtureTypes(): string[] {
  const root = fixturesRoot();
  return fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory()).sort() : [];
}
