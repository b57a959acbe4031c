// Package metadata every public package carries, derived from the root package.json (the one place the
// repository's address is written): `repository` with the package's folder, `homepage`, `bugs`.
import { rootPackage } from './workspaces.mjs';

/** The repository's web address, e.g. https://github.com/lgx-uk/lgx (from `repository.url`). */
export const repositoryWeb = rootPackage.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

/** The address of a file or folder of the repository on its main branch, as READMEs must link it. */
export function repositoryFileUrl(where) {
  return `${repositoryWeb}/blob/main/${where}`;
}

/** `repository`, `homepage` and `bugs` as the package in folder `where` must declare them. */
export function expectedMetadata(where) {
  return {
    repository: { ...rootPackage.repository, directory: where },
    homepage: `${repositoryWeb}/tree/main/${where}#readme`,
    bugs: rootPackage.bugs,
  };
}

/** Keywords every package has, and those every adapter adds (so `npm search lgx-adapter` finds them). */
export function requiredKeywords(pkg) {
  return pkg.lgx?.adapter ? ['lgx', 'lgx-adapter'] : ['lgx'];
}

/** `pkg` with the expected metadata written in, after `license` where a field is new. */
export function withMetadata(pkg, where) {
  const expected = expectedMetadata(where);
  const out = {};
  for (const [key, value] of Object.entries(pkg)) {
    if (key in expected) continue;
    out[key] = value;
    if (key === 'license') Object.assign(out, expected);
  }
  if (!('repository' in out)) Object.assign(out, expected);
  const keywords = [...requiredKeywords(pkg), ...(pkg.keywords ?? []).filter((k) => !requiredKeywords(pkg).includes(k))];
  out.keywords = keywords;
  return out;
}
