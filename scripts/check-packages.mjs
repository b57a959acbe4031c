// Packaging checks for every published workspace package: our own rules (metadata from the root
// package.json, README links that work outside the repository), then publint and "are the types wrong"
// on the packed tarball. Run after `npm run build`. `--fix` writes the metadata the rules expect.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expectedMetadata, repositoryWeb, requiredKeywords, withMetadata } from './lib/metadata.mjs';
import { lgxPeerProblems } from './lib/peer-ranges.mjs';
import { linkProblems } from './lib/readme-links.mjs';
import { publicPackages, root } from './lib/workspaces.mjs';

const fix = process.argv.includes('--fix');
const packages = publicPackages();
const problems = [];
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

if (fix) {
  for (const { dir, where, pkg } of packages) {
    const fixed = withMetadata(pkg, where);
    if (!same(fixed, pkg)) {
      fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(fixed, null, 2)}\n`);
      console.log(`wrote metadata of ${pkg.name}`);
    }
  }
  process.exit(0);
}

// The Markdown files each tarball ships, as npm would pack them.
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', ...packages.flatMap(({ pkg }) => ['--workspace', pkg.name])], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }),
);
const shipped = new Map(packed.map((p) => [p.name, p.files.map((f) => f.path)]));
const versions = new Map(packages.map(({ pkg }) => [pkg.name, pkg.version]));

for (const { dir, where, pkg } of packages) {
  const rule = (ok, text) => ok || problems.push(`${where}: ${text}`);
  rule(pkg.engines?.node === '>=20.19', 'engines.node must be ">=20.19"');
  rule(pkg.sideEffects === false, 'sideEffects must be false');
  rule(Array.isArray(pkg.files) && pkg.files.includes('dist'), 'files must list "dist"');
  rule(pkg.license === 'MIT', 'license must be MIT');
  rule(fs.existsSync(path.join(dir, 'README.md')), 'README.md is missing');
  for (const [field, value] of Object.entries(expectedMetadata(where))) {
    rule(
      same(pkg[field], value),
      `${field} must be ${JSON.stringify(value)} (from the root package.json; npm run test:pack -- --fix writes it)`,
    );
  }
  for (const keyword of requiredKeywords(pkg)) rule(pkg.keywords?.includes(keyword), `keywords must include "${keyword}"`);
  rule((pkg.keywords?.length ?? 0) >= 3, 'keywords must say what the package is about (three or more)');
  for (const file of (shipped.get(pkg.name) ?? []).filter((f) => /\.md$/i.test(f))) {
    for (const problem of linkProblems(fs.readFileSync(path.join(dir, file), 'utf8'))) problems.push(`${where}/${file}: ${problem}`);
  }
  for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
    if (typeof target !== 'object') continue;
    for (const [cond, inner] of Object.entries(target)) {
      if (typeof inner === 'object') rule(Object.keys(inner)[0] === 'types', `exports["${sub}"].${cond}: "types" must come first`);
    }
  }
  for (const problem of lgxPeerProblems(pkg, versions)) problems.push(`${where}: ${problem}`);
  if (pkg.lgx?.adapter) rule(!pkg.dependencies?.['@lgx/core'], '@lgx/core must not be a direct dependency of an adapter');
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
// The repository's address is written in one place (the root package.json); anything else that
// names an LGX repository on GitHub must name the same one.
const tracked = execFileSync('git', ['ls-files', '-z', '*.md', '*.ts', '*.mjs', '*.js', '*.json', '*.yaml'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\0')
  .filter((f) => f && f !== 'package-lock.json');
for (const file of tracked) {
  if (!fs.existsSync(path.join(root, file))) continue;
  for (const m of fs.readFileSync(path.join(root, file), 'utf8').matchAll(/https:\/\/github\.com\/[\w.-]+\/lgx(?![\w-])/g)) {
    if (m[0] !== repositoryWeb) problems.push(`${file}: names ${m[0]}, but the repository is ${repositoryWeb} (root package.json)`);
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`packaging: ${packages.length} package(s) ok`);
