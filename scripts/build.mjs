// Builds every workspace package in dependency order (a package's @lgx dependencies first), since
// declaration builds read the other packages' built types. Only what a build can read counts:
// dependencies and peer dependencies. Development dependencies serve a package's tests (core's tests
// run on the testkit's simulators, which need core), so they may point back along the graph.
// Packages without a build script are skipped.
import { execFileSync } from 'node:child_process';
import { workspacePackages } from './lib/workspaces.mjs';

const packages = new Map(workspacePackages().map(({ dir, pkg }) => [pkg.name, { dir, pkg }]));

const order = [];
const state = new Map();
function visit(name) {
  if (state.get(name) === 'done') return;
  if (state.get(name) === 'visiting') throw new Error(`dependency cycle through ${name}`);
  state.set(name, 'visiting');
  const { pkg } = packages.get(name);
  for (const deps of [pkg.dependencies, pkg.peerDependencies]) {
    for (const dep of Object.keys(deps ?? {})) if (packages.has(dep)) visit(dep);
  }
  state.set(name, 'done');
  order.push(name);
}
for (const name of packages.keys()) visit(name);

// --quiet: one line per package instead of each build's own output (shown only when a build fails).
const quiet = process.argv.includes('--quiet');
for (const name of order) {
  const { dir, pkg } = packages.get(name);
  if (!pkg.scripts?.build) continue;
  if (!quiet) {
    console.log(`\n# ${name}`);
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: 'inherit' });
    continue;
  }
  process.stdout.write(`building ${name}… `);
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: 'pipe' });
    process.stdout.write('done\n');
  } catch (error) {
    process.stdout.write('FAILED\n');
    process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}`);
    process.exit(1);
  }
}
