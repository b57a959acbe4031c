import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ADAPTER_CONTRACT_VERSION } from '@lgx/core';
import { lgx, REPO_ROOT, scratch } from './helpers';

let dir: string;
beforeEach(() => {
  dir = scratch();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('lgx new adapter', () => {
  it('creates a package that type-checks and passes its own tests, conformance included, as generated', async () => {
    const result = await lgx(['new', 'adapter', 'acme-waste', '--dir', dir, '--scope', '@acme']);
    expect(result.code).toBe(0);
    const target = path.join(dir, 'lgx-adapter-acme-waste');
    const pkg = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')) as {
      name: string;
      lgx: { adapter: string };
      peerDependencies: Record<string, string>;
    };
    // The testkit is a peer only for the simulator's `testing` export, and optional.
    expect(pkg).toEqual(
      expect.objectContaining({
        name: '@acme/lgx-adapter-acme-waste',
        lgx: { adapter: 'acme-waste' },
        peerDependencies: { '@lgx/core': '>=0.1.0', '@lgx/testkit': '>=0.1.0 <1.0.0' },
        peerDependenciesMeta: { '@lgx/testkit': { optional: true } },
        exports: expect.objectContaining({ './testing': expect.any(Object) }),
      }),
    );
    expect(readFileSync(path.join(target, 'src', 'testing', 'index.ts'), 'utf8')).toContain('startExampleWasteSimulator');
    // Its conformance harness ships in the testing export, where its own conformance test and
    // `lgx conformance` both take it from.
    expect(readFileSync(path.join(target, 'src', 'testing', 'index.ts'), 'utf8')).toContain(
      "export { conformanceHarness } from './conformance-harness';",
    );
    expect(readFileSync(path.join(target, 'test', 'conformance.test.ts'), 'utf8')).toContain(
      'describeAdapterConformance(adapter, conformanceHarness.options);',
    );
    expect(readFileSync(path.join(target, 'src', 'adapter.ts'), 'utf8')).toContain(`sdk: '^${ADAPTER_CONTRACT_VERSION}'`);
    expect(readFileSync(path.join(target, 'src', 'adapter.ts'), 'utf8')).toContain("id: 'acme-waste'");
    // The generated package's own checks, with the repository's installed tools and built @lgx packages.
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', target], { stdio: 'pipe' });
    const jest = execFileSync(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--rootDir', target, '--ci'],
      { cwd: target, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } },
    ).toString();
    expect(jest).toBe(''); // jest reports on stderr; an exit code other than 0 throws above
    expect((await lgx(['new', 'adapter', 'acme-waste', '--dir', dir])).code).toBe(1); // not over an existing package
    expect((await lgx(['new', 'adapter', 'Bad_Name', '--dir', dir])).code).toBe(2);
  }, 180_000);
});

describe('lgx new adapter: where the @lgx dependencies come from', () => {
  const pkgOf = (name: string): { devDependencies: Record<string, string>; peerDependencies: Record<string, string> } =>
    JSON.parse(readFileSync(path.join(dir, name, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };

  it('--registry writes an .npmrc that takes the @lgx scope from that registry, and nothing else', async () => {
    const result = await lgx(['new', 'adapter', 'acme-waste', '--dir', dir, '--registry', 'http://127.0.0.1:4873']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('its @lgx dependencies come from http://127.0.0.1:4873/');
    const npmrc = readFileSync(path.join(dir, 'lgx-adapter-acme-waste', '.npmrc'), 'utf8');
    expect(npmrc.split('\n').filter((line) => line && !line.startsWith('#'))).toEqual(['@lgx:registry=http://127.0.0.1:4873/']);
    expect(pkgOf('lgx-adapter-acme-waste').devDependencies['@lgx/core']).toBe('^0.1.0');
  });

  it('--tarballs depends on the newest core and testkit tarballs of the folder, by relative file: paths', async () => {
    const tarballs = path.join(dir, 'tarballs');
    mkdirSync(tarballs);
    for (const file of ['lgx-core-0.1.0.tgz', 'lgx-core-0.10.0.tgz', 'lgx-core-0.9.1.tgz', 'lgx-testkit-0.1.0.tgz', 'lgx-cli-0.1.0.tgz'])
      writeFileSync(path.join(tarballs, file), '');
    const result = await lgx(['new', 'adapter', 'acme-bins', '--dir', dir, '--tarballs', tarballs]);
    expect(result.code).toBe(0);
    const pkg = pkgOf('lgx-adapter-acme-bins');
    expect(pkg.devDependencies).toEqual(
      expect.objectContaining({
        '@lgx/core': 'file:../tarballs/lgx-core-0.10.0.tgz',
        '@lgx/testkit': 'file:../tarballs/lgx-testkit-0.1.0.tgz',
      }),
    );
    expect(pkg.peerDependencies).toEqual({ '@lgx/core': '>=0.10.0', '@lgx/testkit': '>=0.1.0 <1.0.0' });
    expect(existsSync(path.join(dir, 'lgx-adapter-acme-bins', '.npmrc'))).toBe(false);
  });

  it('refuses both at once, a registry that is not an http URL, and a folder without the tarballs, writing nothing', async () => {
    const both = await lgx(['new', 'adapter', 'acme-a', '--dir', dir, '--registry', 'http://127.0.0.1:4873/', '--tarballs', dir]);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('give --registry or --tarballs, not both')]);
    const ftp = await lgx(['new', 'adapter', 'acme-a', '--dir', dir, '--registry', 'ftp://127.0.0.1/']);
    expect([ftp.code, ftp.stderr]).toEqual([2, expect.stringContaining('--registry must be an http or https URL')]);
    const empty = await lgx(['new', 'adapter', 'acme-a', '--dir', dir, '--tarballs', dir]);
    expect([empty.code, empty.stderr]).toEqual([
      3,
      expect.stringContaining(`${dir} has no lgx-core-<version>.tgz and lgx-testkit-<version>.tgz (make them with 'npm run pack'`),
    ]);
    const missing = await lgx(['new', 'adapter', 'acme-a', '--dir', dir, '--tarballs', path.join(dir, 'nope')]);
    expect(missing.code).toBe(3);
    expect(existsSync(path.join(dir, 'lgx-adapter-acme-a'))).toBe(false);
  });
});
