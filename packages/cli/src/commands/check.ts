import { loadAdapters } from '@lgx/runtime';
import { instantiateAdapter } from '@lgx/core/host';
import { DEFAULT_STACK, loadStackFile } from '../context';
import { EXIT, json, table, type Io } from '../output';
import { int, parse } from '../args';

export const checkHelp = `lgx check [stack] [--timeout <ms>] [--json]

Creates each adapter of the stack and runs its health check against the real back office: a table of
adapter, package, version, result and latency. Exit 0 when every adapter is healthy, 1 otherwise.`;

export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { timeout: { type: 'string' } });
  if (values.help) return (io.out(checkHelp), EXIT.ok);
  const timeoutMs = int(values, 'timeout', 10_000, 100, 120_000);
  const { definition, resolveFrom } = await loadStackFile(positionals[0] ?? DEFAULT_STACK);
  const definitions = await loadAdapters(definition, { resolveFrom });
  const rows = await Promise.all(
    Object.entries(definitions).map(async ([id, adapter]) => {
      const base = { adapter: id, package: definition.adapters[id]!.package, version: adapter.manifest.version };
      try {
        const { instance } = await instantiateAdapter(adapter, definition.adapters[id]?.config, {
          council: definition.council,
          mappings: definition.mappings,
          retry: false,
        });
        try {
          const result = instance.check
            ? await instance.check({ signal: AbortSignal.timeout(timeoutMs) })
            : { ok: true, message: 'no health check declared' };
          return { ...base, ok: result.ok, latencyMs: result.latencyMs, message: result.message };
        } finally {
          await instance.close?.();
        }
      } catch (error) {
        return { ...base, ok: false, latencyMs: undefined, message: (error as Error).message };
      }
    }),
  );
  if (values.json) io.out(json({ council: definition.council, adapters: rows }));
  else
    io.out(
      table(
        ['adapter', 'package', 'version', 'health', 'latency', 'message'],
        rows.map((r) => [
          r.adapter,
          r.package,
          r.version,
          r.ok ? 'ok' : 'FAILING',
          r.latencyMs !== undefined ? `${r.latencyMs} ms` : '',
          r.message ?? '',
        ]),
      ),
    );
  return rows.every((r) => r.ok) ? EXIT.ok : EXIT.failed;
}
