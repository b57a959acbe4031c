// Packs workspace packages with `npm pack`, exactly the tarballs `npm publish` would upload.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { publicPackages, root } from './workspaces.mjs';

/**
 * Packs every public package into `dest` and returns, per package, its name, version, tarball path,
 * packed size, unpacked size and file count. The packages must be built (`npm run build`) first.
 */
export function packPublicPackages(dest) {
  const packages = publicPackages();
  const unbuilt = packages.filter(({ dir, pkg }) => pkg.scripts?.build && !fs.existsSync(path.join(dir, 'dist')));
  if (unbuilt.length) throw new Error(`not built: ${unbuilt.map(({ pkg }) => pkg.name).join(', ')} (run npm run build first)`);
  fs.mkdirSync(dest, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', dest, ...packages.flatMap(({ pkg }) => ['--workspace', pkg.name])];
  const packed = JSON.parse(execFileSync('npm', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  return packed.map((p) => ({
    name: p.name,
    version: p.version,
    file: path.join(dest, p.filename),
    size: p.size,
    unpackedSize: p.unpackedSize,
    files: p.entryCount,
  }));
}

const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

/** The packed tarballs as a table of lines: name, version, packed size, unpacked size, files. */
export function formatPacked(packed) {
  const width = Math.max(...packed.map((p) => p.name.length));
  const lines = packed.map(
    (p) =>
      `${p.name.padEnd(width)}  ${p.version.padEnd(7)}  ${kB(p.size).padStart(9)} packed  ${kB(p.unpackedSize).padStart(9)} unpacked  ${String(p.files).padStart(4)} files  ${path.basename(p.file)}`,
  );
  const total = packed.reduce((sum, p) => sum + p.size, 0);
  return [...lines, `${'total'.padEnd(width)}  ${''.padEnd(7)}  ${kB(total).padStart(9)} packed`];
}
