import path from 'node:path';
import { findInstalledAdapters, loadAdapterPackage } from '@lgx/runtime';
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

export async function adaptersCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { from: { type: 'string' } });
  if (values.help) return (io.out(adaptersHelp), EXIT.ok);
  const from = path.resolve(str(values, 'from', '.'));
  const rows: Found[] = [];
  for (const pkg of findInstalledAdapters(from, { ancestors: false })) {
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
        rows.map((r) => [
          r.package,
          r.version,
          r.id,
          r.error ? `cannot load: ${r.error}` : r.vendor,
          r.capabilities?.map((c) => `${c.type}(${c.operations.join('/')})`).join(' '),
        ]),
      ),
    );
  return rows.some((r) => r.error) ? EXIT.failed : EXIT.ok;
}
