import fs from 'node:fs';
import path from 'node:path';

export const coreRoot = path.resolve(__dirname, '..');
export const repoRoot = path.resolve(coreRoot, '..', '..');

export interface FixtureFile {
  file: string;
  description: string;
  expect?: { path: string; rule: string };
  data: unknown;
}

/** Reads fixtures from disk as a user of the published package would find them. */
export function readFixtures(type: string, major: number, kind: 'valid' | 'invalid' | 'result' | 'result-invalid'): FixtureFile[] {
  const sub = kind === 'result' ? ['result', 'valid'] : kind === 'result-invalid' ? ['result', 'invalid'] : [kind];
  const dir = path.join(coreRoot, 'fixtures', type, `v${major}`, ...sub);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Omit<FixtureFile, 'file'>) }));
}
