import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAdapterPackage } from '@lgx/runtime';
import { EXIT, json, table, type Io } from '../output';
import { parse, str } from '../args';

export const adaptersHelp = `lgx adapters [--from <dir>] [--json]

Lists the LGX adapters installed in <dir>/node_modules (default: the current folder): every package
whose package.json declares "lgx": {"adapter": "<id>"}, with its version, vendor, specification and
capabilities (type: operations). Packages are read, not run.`;

interface Found {
  package: string;
  version: string;
  id: string;
  vendor?: string;
  product?: string;
  specification?: string;
  capabilities?: Array<{ type: string; versions: number[]; operations: string[] }>;
  error?: string;
}

/** Packages in node_modules (and its @scopes) that declare themselves LGX adapters. */
function discover(from: string): Array<{ name: string; version: string; id: string }> {
  const root = path.join(from, 'node_modules');
  if (!existsSync(root)) return [];
  const dirs: string[] = [];
  for (const entry of readdirSync(root)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) for (const inner of readdirSync(path.join(root, entry))) dirs.push(path.join(root, entry, inner));
    else dirs.push(path.join(root, entry));
  }
  const found: Array<{ name: string; version: string; id: string }> = [];
  for (const dir of dirs) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; lgx?: { adapter?: unknown } };
      if (pkg.name && typeof pkg.lgx?.adapter === 'string') found.push({ name: pkg.name, version: pkg.version ?? '', id: pkg.lgx.adapter });
    } catch {
      // not a package
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

export async function adaptersCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { from: { type: 'string' } });
  if (values.help) return io.out(adaptersHelp), EXIT.ok;
  const from = path.resolve(str(values, 'from', '.'));
  const rows: Found[] = [];
  for (const pkg of discover(from)) {
    try {
      const definition = await loadAdapterPackage(pkg.name, { resolveFrom: from });
      const m = definition.manifest;
      rows.push({
        package: pkg.name,
        version: pkg.version,
        id: m.id,
        vendor: m.vendor,
        product: m.product,
        ...(m.specification ? { specification: `${m.specification.name} ${m.specification.version ?? ''}`.trim() } : {}),
        capabilities: definition.capabilities.map((c) => ({ type: c.type, versions: [...c.versions], operations: [...c.operations] })),
      });
    } catch (error) {
      rows.push({ package: pkg.name, version: pkg.version, id: pkg.id, error: (error as Error).message });
    }
  }
  if (values.json) io.out(json(rows));
  else if (rows.length === 0) io.out(`no LGX adapters installed in ${from}/node_modules`);
  else
    io.out(
      table(
        ['package', 'version', 'id', 'vendor', 'capabilities'],
        rows.map((r) => [r.package, r.version, r.id, r.error ? `cannot load: ${r.error}` : r.vendor, r.capabilities?.map((c) => `${c.type}(${c.operations.join('/')})`).join(' ')]),
      ),
    );
  return rows.some((r) => r.error) ? EXIT.failed : EXIT.ok;
}
