// How packages write their peer ranges on LGX packages (docs/versioning.md):
// - an adapter depends on the adapter contract, which the runtime checks (`manifest.sdk`); its peer
//   range on @lgx/core only sets the oldest core it needs (`>=X.Y.Z`), so no later core release fails
//   npm's peer resolution, and a core whose contract it does not support is refused by name at load;
// - every other peer range on an LGX package accepts every release up to that package's next major
//   (`>=X.Y.Z <M.0.0`: on 0.x a caret range would stop at the next minor).
import semver from 'semver';

/** What is wrong with `pkg`'s peer ranges on LGX packages, given their current versions (name -> version). */
export function lgxPeerProblems(pkg, versions) {
  const problems = [];
  if (pkg.lgx?.adapter && !pkg.peerDependencies?.['@lgx/core']) problems.push('@lgx/core must be a peer dependency with a range');
  for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
    const version = versions.get(name);
    if (!version) continue;
    if (pkg.lgx?.adapter && name === '@lgx/core') {
      if (!/^>=\d+\.\d+\.\d+$/.test(range))
        problems.push(
          `the peer range on @lgx/core must be a lower bound only (">=X.Y.Z", the oldest core the adapter needs), not "${range}"`,
        );
    } else {
      const next = `${semver.major(version) + 1}.0.0`;
      const m = /^>=(\d+\.\d+\.\d+) <(\d+\.\d+\.\d+)$/.exec(range);
      if (!m || m[2] !== next)
        problems.push(`the peer range on ${name} must be ">=X.Y.Z <${next}" (every release up to its next major), not "${range}"`);
    }
    if (!semver.satisfies(version, range))
      problems.push(`the peer range on ${name} ("${range}") must include its current version ${version}`);
  }
  return problems;
}
