// The workspace packages of this repository, read from the root package.json's `workspaces`, so every
// script (build, pack, packaging checks, the consumer test) agrees on what the packages are.
import fs from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Every workspace package: `{ dir, where, pkg }`, where `where` is its folder relative to the root. */
export function workspacePackages() {
  const found = [];
  for (const pattern of rootPackage.workspaces) {
    const base = path.join(root, pattern.replace(/\/\*$/, ''));
    if (!fs.existsSync(base)) continue;
    for (const name of fs.readdirSync(base).sort()) {
      const file = path.join(base, name, 'package.json');
      if (!fs.existsSync(file)) continue;
      const dir = path.dirname(file);
      found.push({ dir, where: path.relative(root, dir).split(path.sep).join('/'), pkg: JSON.parse(fs.readFileSync(file, 'utf8')) });
    }
  }
  return found;
}

/** The packages that are published (not `private`). */
export function publicPackages() {
  return workspacePackages().filter(({ pkg }) => !pkg.private);
}
