// A release of @lgx/core made from the packed one with only its versions changed: what
// `npm run version-packages` followed by a build would produce, with the package version and, if
// asked, the adapter contract version (package.json `lgx.adapterContract`) written in both
// package.json and the built constants (`CORE_VERSION`, `ADAPTER_CONTRACT_VERSION`).
import fs from 'node:fs';
import path from 'node:path';
import { exec } from './exec.mjs';

function replaceConstant(text, name, value) {
  const pattern = new RegExp(`(\\b${name} = )"[^"]*"`, 'g');
  return { text: text.replace(pattern, `$1${JSON.stringify(value)}`), count: (text.match(pattern) ?? []).length };
}

/** Packs `coreTarball` again as `version` implementing contract `contract`, in `workDir`. Returns the tarball. */
export async function releaseCore(coreTarball, { version, contract }, workDir) {
  const dir = path.join(workDir, `core-${version}`);
  fs.mkdirSync(dir, { recursive: true });
  await exec('tar', ['-xzf', coreTarball, '-C', dir]);
  const packageDir = path.join(dir, 'package');
  const pkgFile = path.join(packageDir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  pkg.version = version;
  pkg.lgx = { ...pkg.lgx, adapterContract: contract };
  fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  const dist = path.join(packageDir, 'dist');
  const found = { js: { CORE_VERSION: 0, ADAPTER_CONTRACT_VERSION: 0 }, mjs: { CORE_VERSION: 0, ADAPTER_CONTRACT_VERSION: 0 } };
  for (const file of fs.readdirSync(dist).filter((f) => /\.(js|mjs|d\.ts|d\.mts)$/.test(f))) {
    let text = fs.readFileSync(path.join(dist, file), 'utf8');
    for (const [name, value] of [
      ['CORE_VERSION', version],
      ['ADAPTER_CONTRACT_VERSION', contract],
    ]) {
      const replaced = replaceConstant(text, name, value);
      text = replaced.text;
      const format = /\.mjs$/.test(file) ? 'mjs' : /\.js$/.test(file) ? 'js' : undefined;
      if (format) found[format][name] += replaced.count;
    }
    fs.writeFileSync(path.join(dist, file), text);
  }
  // Both builds must carry both constants: if the build's form changes, this says so.
  for (const [format, counts] of Object.entries(found)) {
    for (const [name, count] of Object.entries(counts))
      if (count === 0) throw new Error(`no .${format} file of @lgx/core declares ${name} as a constant any more`);
  }
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: packageDir });
  return path.join(workDir, JSON.parse(stdout)[0].filename);
}
