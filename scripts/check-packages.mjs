// Packaging checks for every published workspace package: our own rules, then publint and
// "are the types wrong" on the packed tarball. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const dirs = [];
for (const pattern of rootPkg.workspaces) {
  const base = path.join(root, pattern.replace(/\/\*$/, ''));
  if (!fs.existsSync(base)) continue;
  for (const name of fs.readdirSync(base).sort()) {
    const dir = path.join(base, name);
    if (fs.existsSync(path.join(dir, 'package.json'))) dirs.push(dir);
  }
}

const problems = [];
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
for (const dir of dirs) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  const where = path.relative(root, dir);
  const rule = (ok, text) => ok || problems.push(`${where}: ${text}`);
  rule(pkg.engines?.node === '>=20.19', 'engines.node must be ">=20.19"');
  rule(pkg.sideEffects === false, 'sideEffects must be false');
  rule(Array.isArray(pkg.files) && pkg.files.includes('dist'), 'files must list "dist"');
  rule(pkg.license === 'MIT', 'license must be MIT');
  rule(fs.existsSync(path.join(dir, 'README.md')), 'README.md is missing');
  for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
    if (typeof target !== 'object') continue;
    for (const [cond, inner] of Object.entries(target)) {
      if (typeof inner === 'object') rule(Object.keys(inner)[0] === 'types', `exports["${sub}"].${cond}: "types" must come first`);
    }
  }
  if (pkg.name.startsWith('@lgx/adapter-')) {
    rule(typeof pkg.peerDependencies?.['@lgx/core'] === 'string', '@lgx/core must be a peer dependency with a range');
    rule(!pkg.dependencies?.['@lgx/core'], '@lgx/core must not be a direct dependency of an adapter');
  }
  try {
    execFileSync(bin('publint'), [dir, '--strict'], { stdio: 'pipe', cwd: root });
  } catch (error) {
    problems.push(`${where}: publint\n${error.stdout}${error.stderr}`);
  }
  try {
    execFileSync(bin('attw'), ['--pack', dir, '--format', 'ascii', '--profile', 'node16'], { stdio: 'pipe', cwd: root });
  } catch (error) {
    problems.push(`${where}: attw\n${error.stdout}${error.stderr}`);
  }
  console.log(`checked ${pkg.name}`);
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`packaging: ${dirs.length} package(s) ok`);
