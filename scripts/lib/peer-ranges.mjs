// How packages write their peer range on @lgx/core (docs/versioning.md):
// - an adapter depends on the adapter contract, which the runtime checks (`manifest.sdk`); its peer
//   range only sets the oldest core it needs (`>=X.Y.Z`), so no later core release fails npm's peer
//   resolution, and a core whose contract it does not support is refused by name at load time;
// - LGX's own packages use all of core, so they accept every core up to its next major
//   (`>=X.Y.Z <M.0.0`: on 0.x a caret range would stop at the next minor).
import semver from 'semver';

/** What is wrong with `pkg`'s peer range on @lgx/core, given core's current version, or undefined. */
export function corePeerProblem(pkg, coreVersion) {
  const range = pkg.peerDependencies?.['@lgx/core'];
  if (range === undefined) return pkg.lgx?.adapter ? '@lgx/core must be a peer dependency with a range' : undefined;
  const floor = /^>=(\d+\.\d+\.\d+)$/.exec(range)?.[1];
  if (pkg.lgx?.adapter) {
    if (!floor) return `the peer range on @lgx/core must be a lower bound only (">=X.Y.Z", the oldest core the adapter needs), not "${range}"`;
  } else {
    const next = `${semver.major(coreVersion) + 1}.0.0`;
    const m = /^>=(\d+\.\d+\.\d+) <(\d+\.\d+\.\d+)$/.exec(range);
    if (!m || m[2] !== next) return `the peer range on @lgx/core must be ">=X.Y.Z <${next}" (every core up to its next major), not "${range}"`;
  }
  if (!semver.satisfies(coreVersion, range)) return `the peer range on @lgx/core ("${range}") must include core's own version ${coreVersion}`;
  return undefined;
}
