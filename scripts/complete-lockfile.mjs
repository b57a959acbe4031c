// Completes package-lock.json with entries for platform-specific optional dependencies that npm left
// out. npm only writes those entries when it can read each platform package from the registry; behind
// a registry mirror that serves the current platform's binaries only, it leaves them out, and `npm ci`
// then refuses the lockfile as out of sync ("Missing: @swc/core-darwin-arm64@ from lock file").
// The stub entries are optional, so `npm ci` skips them on every platform they do not fit.
// Runs after every `npm install` (root postinstall); does nothing when the lockfile is complete.
import fs from 'node:fs';
import path from 'node:path';

const file = path.join(import.meta.dirname, '..', 'package-lock.json');
if (!fs.existsSync(file)) process.exit(0);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const packages = lock.packages ?? {};
let added = 0;
for (const [where, meta] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    // Node resolution: the dependency may sit beside the package or in any node_modules above it.
    let dir = where;
    let found = false;
    for (;;) {
      if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) {
        found = true;
        break;
      }
      const up = dir.lastIndexOf('/node_modules/');
      if (dir === '') break;
      dir = up === -1 ? '' : dir.slice(0, up);
    }
    if (found || !/^[0-9]/.test(String(version))) continue;
    packages[`node_modules/${name}`] = { version, ...(meta.dev ? { dev: true } : {}), optional: true };
    added++;
  }
}
if (added > 0) {
  lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
  fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`complete-lockfile: added ${added} optional platform entr${added === 1 ? 'y' : 'ies'}`);
}
