import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

/** An installed package that declares itself an LGX adapter (`"lgx": {"adapter": "<id>"}` in package.json). */
export interface InstalledAdapter {
  name: string;
  version: string;
  /** The adapter id the package declares. */
  id: string;
}

/** The node_modules folders Node would search from `from`: its own, then each parent's. */
function moduleFolders(from: string, ancestors: boolean): string[] {
  const own = join(from, 'node_modules');
  if (!ancestors) return [own];
  return createRequire(join(from, 'lgx-stack.js')).resolve.paths('lgx-stack') ?? [own];
}

/**
 * The LGX adapters installed where a stack in `from` can load them: every package in the node_modules
 * folders (and their @scopes) whose package.json declares an adapter. Packages are read, not run; a
 * name found in a nearer folder hides the same name further up, as Node resolves it.
 */
export function findInstalledAdapters(from: string, options: { ancestors?: boolean } = {}): InstalledAdapter[] {
  const found = new Map<string, InstalledAdapter>();
  for (const root of moduleFolders(resolve(from), options.ancestors ?? true)) {
    if (!existsSync(root)) continue;
    const dirs: string[] = [];
    for (const entry of readdirSync(root)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) for (const inner of readdirSync(join(root, entry))) dirs.push(join(root, entry, inner));
      else dirs.push(join(root, entry));
    }
    for (const dir of dirs) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
          lgx?: { adapter?: unknown };
        };
        if (pkg.name && typeof pkg.lgx?.adapter === 'string' && !found.has(pkg.name))
          found.set(pkg.name, { name: pkg.name, version: pkg.version ?? '', id: pkg.lgx.adapter });
      } catch {
        // not a package
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Edit distance (insertions, deletions, substitutions), for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** The name without its scope and punctuation: `@lgx/adapter-open-311` and `adapter-open311` meet. */
const bare = (name: string): string =>
  name
    .replace(/^@[^/]+\//, '')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase();

/**
 * The installed adapter a mistyped package name most likely meant: the same adapter id, or the
 * nearest name within a few edits (counting scope and punctuation, or ignoring them). Undefined when
 * nothing is close.
 */
export function nearestAdapter(wanted: string, installed: readonly InstalledAdapter[]): InstalledAdapter | undefined {
  const byId = installed.find((a) => a.id === wanted);
  if (byId) return byId;
  let best: { adapter: InstalledAdapter; score: number } | undefined;
  for (const adapter of installed) {
    const score = Math.min(distance(wanted, adapter.name), distance(bare(wanted), bare(adapter.name)));
    if (!best || score < best.score) best = { adapter, score };
  }
  return best && best.score <= Math.max(2, Math.floor(wanted.length / 5)) ? best.adapter : undefined;
}
