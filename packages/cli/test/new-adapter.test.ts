import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
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
    const pkg = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')) as { name: string; lgx: { adapter: string }; peerDependencies: Record<string, string> };
    // The testkit is a peer only for the simulator's `testing` export, and optional.
    expect(pkg).toEqual(
      expect.objectContaining({
        name: '@acme/lgx-adapter-acme-waste',
        lgx: { adapter: 'acme-waste' },
        peerDependencies: { '@lgx/core': '^0.1.0', '@lgx/testkit': '^0.1.0' },
        peerDependenciesMeta: { '@lgx/testkit': { optional: true } },
        exports: expect.objectContaining({ './testing': expect.any(Object) }),
      }),
    );
    expect(readFileSync(path.join(target, 'src', 'testing', 'index.ts'), 'utf8')).toContain('startExampleWasteSimulator');
    expect(readFileSync(path.join(target, 'src', 'adapter.ts'), 'utf8')).toContain("id: 'acme-waste'");
    // The generated package's own checks, with the repository's installed tools and built @lgx packages.
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', target], { stdio: 'pipe' });
    const jest = execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--rootDir', target, '--ci'], { cwd: target, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } }).toString();
    expect(jest).toBe(''); // jest reports on stderr; an exit code other than 0 throws above
    expect((await lgx(['new', 'adapter', 'acme-waste', '--dir', dir])).code).toBe(1); // not over an existing package
    expect((await lgx(['new', 'adapter', 'Bad_Name', '--dir', dir])).code).toBe(2);
  }, 180_000);
});
