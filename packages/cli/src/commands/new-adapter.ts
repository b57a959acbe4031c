import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ADAPTER_CONTRACT_VERSION, CORE_VERSION } from '@lgx/core';
import { EXIT, UsageError, type Io } from '../output';
import { need, parse, str, textOptions } from '../args';
import { VERSION } from '../version';

export const newAdapterHelp = `lgx new adapter <name> [--dir <folder>] [--scope <@scope>] [--registry <url> | --tarballs <folder>]

Creates a new adapter package from the LGX template: a complete adapter for the fictional Example
Waste API with its simulator (exported as <package>/testing), unit tests and the conformance suite,
green under 'npm install && npm test' as generated. Rename the vendor, replace the simulator with one of your system's API, and keep
the suite green. <name> is the adapter id (lower-case letters, digits, hyphens), e.g. acme-waste; the
package is [<scope>/]lgx-adapter-<name> in <folder>/lgx-adapter-<name> (default: the current folder).

Where the package's @lgx dependencies come from (default: the public npm registry):
  --registry <url>     a registry that has the @lgx packages, e.g. a local Verdaccio
                       (http://127.0.0.1:4873/): written to the package's .npmrc for the @lgx scope
  --tarballs <folder>  a folder of packed @lgx tarballs ('npm run pack' in a clone of LGX): the
                       package depends on lgx-core-*.tgz and lgx-testkit-*.tgz there as file: paths`;

/** Where `npm install` gets the generated package's @lgx dependencies. */
type Source =
  { kind: 'public' } | { kind: 'registry'; url: string } | { kind: 'tarballs'; core: string; testkit: string; coreVersion: string };

/** The newest `lgx-<name>-<version>.tgz` in `folder`, by version. */
function newestTarball(folder: string, name: string): { file: string; version: string } | undefined {
  const pattern = new RegExp(`^lgx-${name}-(\\d+)\\.(\\d+)\\.(\\d+)(-[0-9A-Za-z.-]+)?\\.tgz$`);
  const found = readdirSync(folder)
    .map((file) => ({ file, m: pattern.exec(file) }))
    .filter((f): f is { file: string; m: RegExpExecArray } => f.m !== null)
    .sort(
      (a, b) =>
        [1, 2, 3].reduce((order, i) => order || Number(b.m[i]) - Number(a.m[i]), 0) ||
        Number(a.m[4] !== undefined) - Number(b.m[4] !== undefined),
    );
  const best = found[0];
  return best && { file: path.join(folder, best.file), version: best.file.slice(`lgx-${name}-`.length, -'.tgz'.length) };
}

function dependencySource(values: Record<string, string | boolean | undefined>): Source {
  const registry = str(values, 'registry');
  const tarballs = str(values, 'tarballs');
  if (registry !== undefined && tarballs !== undefined) throw new UsageError('give --registry or --tarballs, not both');
  if (registry !== undefined) {
    let url: URL;
    try {
      url = new URL(registry);
    } catch {
      throw new UsageError('--registry must be a registry URL, e.g. http://127.0.0.1:4873/');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UsageError('--registry must be an http or https URL, e.g. http://127.0.0.1:4873/');
    return { kind: 'registry', url: url.href };
  }
  if (tarballs === undefined) return { kind: 'public' };
  const folder = path.resolve(tarballs);
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new NotFound(`--tarballs: ${folder} is not a folder (make one with 'npm run pack' in a clone of LGX)`);
  const core = newestTarball(folder, 'core');
  const testkit = newestTarball(folder, 'testkit');
  if (!core || !testkit) {
    const missing = [core ? '' : 'lgx-core-<version>.tgz', testkit ? '' : 'lgx-testkit-<version>.tgz'].filter(Boolean).join(' and ');
    throw new NotFound(`--tarballs: ${folder} has no ${missing} (make them with 'npm run pack' in a clone of LGX)`);
  }
  return { kind: 'tarballs', core: core.file, testkit: testkit.file, coreVersion: core.version };
}

/** A problem with something the command was pointed at, answered with exit code 3. */
class NotFound extends Error {}

/** Where the template's files are: shipped beside the built CLI, or the monorepo's own package. */
function templateRoot(): string {
  const candidates = [
    path.join(__dirname, '..', 'template'),
    path.join(__dirname, '..', '..', 'template'),
    path.join(__dirname, '..', '..', '..', 'adapters', 'template'),
  ];
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

function projectFiles(packageName: string, id: string, target: string, source: Source): Record<string, string> {
  // A file: dependency is written relative to the package, as npm itself records one, unless the
  // only way there is through the root of the file system.
  const fileSpec = (tarball: string): string => {
    const relative = path.relative(target, tarball).split(path.sep);
    const ups = relative.filter((part) => part === '..').length;
    return `file:${ups >= target.split(path.sep).filter(Boolean).length ? tarball : relative.join('/')}`;
  };
  const coreVersion = source.kind === 'tarballs' ? source.coreVersion : CORE_VERSION;
  const files: Record<string, string> = {
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
          '.': {
            import: { types: './dist/index.d.mts', default: './dist/index.mjs' },
            require: { types: './dist/index.d.ts', default: './dist/index.js' },
          },
          './testing': {
            import: { types: './dist/testing.d.mts', default: './dist/testing.mjs' },
            require: { types: './dist/testing.d.ts', default: './dist/testing.js' },
          },
          './package.json': './package.json',
        },
        files: ['dist'],
        keywords: ['lgx', 'lgx-adapter'],
        lgx: { adapter: id },
        scripts: { build: 'tsup', typecheck: 'tsc --noEmit', test: 'tsc --noEmit && jest' },
        // The runtime checks the adapter contract (manifest.sdk); the peer range only names the oldest
        // core this adapter was made with, so later core releases never fail npm's peer resolution.
        // The simulator in src/testing needs the testkit (an optional peer, any release up to its next
        // major); the adapter itself does not.
        peerDependencies: { '@lgx/core': `>=${coreVersion}`, '@lgx/testkit': `>=${VERSION} <${Number(VERSION.split('.')[0]) + 1}.0.0` },
        peerDependenciesMeta: { '@lgx/testkit': { optional: true } },
        // None of these needs its install script here: esbuild and swc ship their binaries as
        // platform packages, and jest does not use @parcel/watcher. Recorded so npm does not ask.
        allowScripts: { '@parcel/watcher': false, '@swc/core': false, esbuild: false },
        devDependencies: {
          '@lgx/core': source.kind === 'tarballs' ? fileSpec(source.core) : `^${CORE_VERSION}`,
          '@lgx/testkit': source.kind === 'tarballs' ? fileSpec(source.testkit) : `^${VERSION}`,
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
  if (source.kind === 'registry') {
    files['.npmrc'] =
      `# The @lgx packages come from this registry; once they are on the public npm registry, delete this file.\n@lgx:registry=${source.url}\n`;
  }
  return files;
}

export async function newAdapterCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, textOptions('dir', 'scope', 'registry', 'tarballs'));
  if (values.help) return (io.out(newAdapterHelp), EXIT.ok);
  if (positionals[0] !== 'adapter') throw new UsageError('usage: lgx new adapter <name>');
  const id = need(positionals, 1, 'adapter name (e.g. acme-waste)');
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(id) || id === 'template')
    throw new UsageError('the adapter name must be lower-case letters, digits and hyphens, starting with a letter (e.g. acme-waste)');
  const scope = str(values, 'scope');
  if (scope !== undefined && !/^@[a-z0-9][a-z0-9._-]*$/.test(scope)) throw new UsageError('--scope must look like @acme');
  let source: Source;
  try {
    source = dependencySource(values);
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    io.err(`error: ${error.message}`);
    return EXIT.notFound;
  }
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
      .replace(/sdk: '[^']*'/g, `sdk: '^${ADAPTER_CONTRACT_VERSION}'`)
      .replace(/source: 'template'/g, `source: '${id}'`);
  };
  const written: string[] = [];
  for (const folder of ['src', 'test']) {
    mkdirSync(path.join(target, folder), { recursive: true });
    written.push(...copyTree(path.join(root, folder), path.join(target, folder), rewrite));
  }
  // The monorepo's test tsconfig does not apply to a standalone package.
  const testTsconfig = path.join(target, 'test', 'tsconfig.json');
  if (existsSync(testTsconfig))
    writeFileSync(testTsconfig, `${JSON.stringify({ extends: '../tsconfig.json', include: ['.', '../src'] }, null, 2)}\n`);
  for (const [file, text] of Object.entries(projectFiles(packageName, id, target, source))) {
    writeFileSync(path.join(target, file), text);
    written.push(path.join(target, file));
  }
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8').replace(/@lgx\/adapter-template/g, packageName);
  writeFileSync(
    path.join(target, 'README.md'),
    `<!-- Generated by lgx new adapter from the LGX template: rewrite it for your system. -->\n${readme}`,
  );
  const from = {
    public: 'the public npm registry',
    registry: `${source.kind === 'registry' ? source.url : ''} (see .npmrc)`,
    tarballs: 'the tarballs named in package.json',
  }[source.kind];
  io.out(
    `created ${packageName} in ${target} (${written.length + 1} files); its @lgx dependencies come from ${from}\nnext: cd ${path.relative(process.cwd(), target) || '.'} && npm install && npm test`,
  );
  return EXIT.ok;
}
