import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ADDRESSES_FILE, DEFAULT_BASE_PORT, isSystemName, loadSystem, SYSTEMS, type SystemName } from './systems';
import type { PlacedSystem } from './stack-entries';

/** Records where `lgx simulate` started each system (names and URLs only, no credentials). */
export function writeAddresses(dataDir: string, systems: readonly PlacedSystem[]): void {
  const file = path.join(dataDir, ADDRESSES_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ simulators: systems.map((s) => ({ name: s.name, url: s.url })) }, null, 2)}\n`, {
    mode: 0o600,
  });
  renameSync(temporary, file);
}

/**
 * The systems `lgx simulate` last started from `dataDir`, at their addresses; when it has not run
 * there, every system on 127.0.0.1 at its default port, where a plain `lgx simulate` puts them.
 */
export function readAddresses(dataDir: string): { systems: PlacedSystem[]; fromFile: boolean } {
  const file = path.join(dataDir, ADDRESSES_FILE);
  if (!existsSync(file)) {
    return {
      systems: SYSTEMS.map((s) => ({ name: s.name, system: loadSystem(s.name), url: `http://127.0.0.1:${DEFAULT_BASE_PORT + s.offset}` })),
      fromFile: false,
    };
  }
  let parsed: { simulators?: Array<{ name?: unknown; url?: unknown }> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new Error(`${file} cannot be read as JSON: start lgx simulate again to rewrite it`, { cause: error });
  }
  const systems = (parsed.simulators ?? []).flatMap((s): PlacedSystem[] =>
    typeof s.name === 'string' && isSystemName(s.name) && typeof s.url === 'string' && /^http:\/\/[^\s/]+$/.test(s.url)
      ? [{ name: s.name as SystemName, system: loadSystem(s.name as SystemName), url: s.url }]
      : [],
  );
  if (systems.length === 0) throw new Error(`${file} names no simulator: start lgx simulate again to rewrite it`);
  return { systems, fromFile: true };
}
