import fs from 'node:fs';
import path from 'node:path';

export type Json = { [key: string]: unknown };

export const repoRoot = path.resolve(__dirname, '..', '..');
export const coreRoot = path.join(repoRoot, 'packages', 'core');

/** Every schema file under packages/core/schemas, in a stable order. */
export function loadSchemas(): Json[] {
  const root = path.join(coreRoot, 'schemas');
  const out: Json[] = [];
  for (const dir of fs.readdirSync(root).sort()) {
    const full = path.join(root, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const file of fs.readdirSync(full).sort()) {
      if (file.endsWith('.json')) out.push(JSON.parse(fs.readFileSync(path.join(full, file), 'utf8')) as Json);
    }
  }
  return out;
}

export interface Fixture {
  file: string;
  description: string;
  expect?: { path: string; rule: string };
  data: unknown;
}

/** Fixtures of one schema: kind is valid, invalid or result (valid query results). */
export function loadFixtures(type: string, major: number, kind: 'valid' | 'invalid' | 'result'): Fixture[] {
  const dir = path.join(coreRoot, 'fixtures', type, `v${major}`, ...(kind === 'result' ? ['result', 'valid'] : [kind]));
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Omit<Fixture, 'file'>) }));
}

/** 'waste.missedCollection' -> 'WasteMissedCollection'. */
export function pascal(name: string): string {
  return name
    .split(/[.\-_]/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

export interface SchemaName {
  type: string;
  major: number;
  result: boolean;
}

export function parseId(id: string): SchemaName | undefined {
  const m = /^https:\/\/schemas\.lgx\.dev\/([A-Za-z][A-Za-z0-9.-]*)\/v([1-9][0-9]*)(\.result)?\.json$/.exec(id);
  return m ? { type: m[1]!, major: Number(m[2]), result: m[3] !== undefined } : undefined;
}
