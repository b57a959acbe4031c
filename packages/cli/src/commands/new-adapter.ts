import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CORE_VERSION } from '@lgx/core';
import { EXIT, UsageError, type Io } from '../output';
import { need, parse, str } from '../args';
import { VERSION } from '../version';

export const newAdapterHelp = `lgx new adapter <name> [--dir <folder>] [--scope <@scope>]

Creates a new adapter package from the LGX template: a complete adapter for the fictional Example
Waste API with its simulator (exported as <package>/testing), unit tests and the conformance suite,
green under 'npm test' as generated. Rename the vendor, replace the simulator with one of your
system's API, and keep the suite green. <name> is the adapter id (lower-case letters, digits, hyphens), e.g. acme-waste; the package is
[<scope>/]lgx-adapter-<name> in <folder>/lgx-adapter-<name> (default: the current folder).`;

/** Where the template's files are: shipped beside the built CLI, or the monorepo's own package. */
function templateRoot(): string {
  const candidates = [path.join(__dirname, '..', 'template'), path.join(__dirname, '..', '..', 'template'), path.join(__dirname, '..', '..', '..', 'adapters', 'template')];
  const found = candidates.find((c) => existsSync(path.join(c, 'src', 'adapter.ts')));
  if (!found) throw new Error('the adapter template is missing from this installation of @lgx/cli');
  return found;
}

function copyTree(from: string, to: string, rewrite: (file: string, text: string) => string): string[] {
  const written: string[] = [];
  for (const entry of readdirSync(from)) {
    const source = path.join(from, entry);
    const target = path.join(to, entry);
    if (statSync(source).isDirectory()) {
      mkdirSync(target, { recursive: true });
      written.push(...copyTree(source, target, rewrite));
    } else {
      writeFileSync(target, rewrite(entry, readFileSync(source, 'utf8')));
      written.push(target);
    }
  }
  return written;
}

function projectFiles(packageName: string, id: string): Record<string, string> {
  const range = `^${CORE_VERSION}`;
  return {
    'package.json': `${JSON.stringify(
      {
        name: packageName,
        version: '0.1.0',
        description: `LGX adapter ${id}`,
        license: 'MIT',
        type: 'commonjs',
        engines: { node: '>=20.19' },
        sideEffects: false,
        main: './dist/index.js',
        module: './dist/index.mjs',
        types: './dist/index.d.ts',
        exports: {
          '.': { import: { types: './dist/index.d.mts', default: './dist/index.mjs' }, require: { types: './dist/index.d.ts', default: './dist/index.js' } },
          './testing': { import: { types: './dist/testing.d.mts', default: './dist/testing.mjs' }, require: { types: './dist/testing.d.ts', default: './dist/testing.js' } },
          './package.json': './package.json',
        },
        files: ['dist'],
        keywords: ['lgx', 'lgx-adapter'],
        lgx: { adapter: id },
        scripts: { build: 'tsup', typecheck: 'tsc --noEmit', test: 'tsc --noEmit && jest' },
        // The simulator in src/testing needs the testkit; the adapter itself does not.
        peerDependencies: { '@lgx/core': range, '@lgx/testkit': `^${VERSION}` },
        peerDependenciesMeta: { '@lgx/testkit': { optional: true } },
        devDependencies: {
          '@lgx/core': range,
          '@lgx/testkit': `^${VERSION}`,
          '@swc/core': '^1.16.0',
          '@swc/jest': '^0.2.39',
          '@types/jest': '^30.0.0',
          '@types/node': '^20.19.0',
          jest: '^30.0.0',
          tsup: '8.5',
          typescript: '5.9',
        },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node', 'jest'],
          strict: true,
          noUncheckedIndexedAccess: true,
          noImplicitOverride: true,
          exactOptionalPropertyTypes: true,
          esModuleInterop: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include: ['src', 'test'],
      },
      null,
      2,
    )}\n`,
    'tsup.config.ts': `import { defineConfig } from 'tsup';\n\nexport default defineConfig({ entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' }, format: ['cjs', 'esm'], dts: true, clean: true, target: 'node20', platform: 'node' });\n`,
    'jest.config.js': `/** @type {import('jest').Config} */\nmodule.exports = {\n  testEnvironment: 'node',\n  testMatch: ['<rootDir>/test/**/*.test.ts'],\n  transform: { '^.+\\\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },\n  testTimeout: 30000,\n};\n`,
    '.gitignore': 'node_modules/\ndist/\n',
  };
}

export async function newAdapterCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string' }, scope: { type: 'string' } });
  if (values.help) return io.out(newAdapterHelp), EXIT.ok;
  if (positionals[0] !== 'adapter') throw new UsageError("usage: lgx new adapter <name>");
  const id = need(positionals, 1, 'adapter name (e.g. acme-waste)');
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(id) || id === 'template') throw new UsageError('the adapter name must be lower-case letters, digits and hyphens, starting with a letter (e.g. acme-waste)');
  const scope = str(values, 'scope');
  if (scope !== undefined && !/^@[a-z0-9][a-z0-9._-]*$/.test(scope)) throw new UsageError('--scope must look like @acme');
  const packageName = `${scope ? `${scope}/` : ''}lgx-adapter-${id}`;
  const target = path.resolve(str(values, 'dir', '.'), `lgx-adapter-${id}`);
  if (existsSync(target) && readdirSync(target).length > 0) {
    io.err(`error: ${target} exists and is not empty`);
    return EXIT.failed;
  }
  const root = templateRoot();
  mkdirSync(target, { recursive: true });
  const rewrite = (file: string, text: string): string => {
    if (file === 'version.ts') return `/** The version of ${packageName}. */\nexport const VERSION = '0.1.0';\n`;
    return text
      .replace(/@lgx\/adapter-template/g, packageName)
      .replace(/id: 'template'/g, `id: '${id}'`)
      .replace(/source: 'template'/g, `source: '${id}'`);
  };
  const written: string[] = [];
  for (const folder of ['src', 'test']) {
    mkdirSync(path.join(target, folder), { recursive: true });
    written.push(...copyTree(path.join(root, folder), path.join(target, folder), rewrite));
  }
  // The monorepo's test tsconfig does not apply to a standalone package.
  const testTsconfig = path.join(target, 'test', 'tsconfig.json');
  if (existsSync(testTsconfig)) writeFileSync(testTsconfig, `${JSON.stringify({ extends: '../tsconfig.json', include: ['.', '../src'] }, null, 2)}\n`);
  for (const [file, text] of Object.entries(projectFiles(packageName, id))) {
    writeFileSync(path.join(target, file), text);
    written.push(path.join(target, file));
  }
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8').replace(/@lgx\/adapter-template/g, packageName);
  writeFileSync(path.join(target, 'README.md'), `<!-- Generated by lgx new adapter from the LGX template: rewrite it for your system. -->\n${readme}`);
  io.out(`created ${packageName} in ${target} (${written.length + 1} files)\nnext: cd ${path.relative(process.cwd(), target) || '.'} && npm install && npm test`);
  return EXIT.ok;
}
