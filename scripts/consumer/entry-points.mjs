// Every entry point an installed package's `exports` map offers, and loading one the way a user's code
// would: `import` in an ES module, `require` in CommonJS, each in a node process of its own.
import fs from 'node:fs';
import path from 'node:path';
import { exec } from './exec.mjs';

/** The first file (sorted) under `dir` whose path relative to `base` matches `pattern`. */
function firstMatch(base, dir, pattern) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = firstMatch(base, full, pattern);
      if (found) return found;
    } else if (pattern.test(path.relative(base, full).split(path.sep).join('/'))) {
      return full;
    }
  }
  return undefined;
}

/**
 * The specifiers of every `exports` entry of the package installed in `packageDir`. A pattern entry
 * (`./schemas/*`) is represented by the first file it matches.
 */
export function entrySpecifiers(packageDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const specifiers = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? { '.': pkg.main })) {
    if (!subpath.includes('*')) {
      specifiers.push(subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);
      continue;
    }
    const [before, after] = String(target).replace(/^\.\//, '').split('*');
    const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const file = firstMatch(packageDir, packageDir, new RegExp(`^${escape(before)}.+${escape(after)}$`));
    if (!file) throw new Error(`${pkg.name}: exports["${subpath}"] matches no file in the package`);
    const matched = path
      .relative(packageDir, file)
      .split(path.sep)
      .join('/')
      .slice(before.length, after ? -after.length : undefined);
    specifiers.push(`${pkg.name}/${subpath.slice(2).replace('*', matched)}`);
  }
  return specifiers;
}

const json = (specifier) => specifier.endsWith('.json');

// Each prints the names the module exports (for JSON: that it parsed to an object).
const esm = (specifier) =>
  json(specifier)
    ? `const m = await import(${JSON.stringify(specifier)}, { with: { type: 'json' } }); console.log(JSON.stringify(typeof m.default === 'object' ? ['(json)'] : []));`
    : `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()));`;
const cjs = (specifier) =>
  json(specifier)
    ? `const m = require(${JSON.stringify(specifier)}); console.log(JSON.stringify(typeof m === 'object' ? ['(json)'] : []));`
    : `const m = require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== '__esModule').sort()));`;

/** Loads `specifier` from `cwd` as ESM or CommonJS in a fresh node process; returns the exported names. */
export async function loadEntry(specifier, format, cwd) {
  const args = format === 'esm' ? ['--input-type=module', '-e', esm(specifier)] : ['--input-type=commonjs', '-e', cjs(specifier)];
  const { stdout } = await exec(process.execPath, args, { cwd, timeoutMs: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop());
}
