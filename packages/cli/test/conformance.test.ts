import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AdapterDefinition } from '@lgx/core';
import { planConformance, type CheckResult, type ConformanceHarness } from '@lgx/testkit';
import { lgx, REPO_ROOT, scratch } from './helpers';

interface Report {
  package: string;
  passed: boolean;
  results: CheckResult[];
}

/** Every adapter package in the repository: LGX's reference adapters and the template. */
const ADAPTERS = readdirSync(path.join(REPO_ROOT, 'packages', 'adapters'))
  .map(
    (dir) =>
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages', 'adapters', dir, 'package.json'), 'utf8')) as {
        name: string;
        lgx?: { adapter?: string };
      },
  )
  .filter((pkg) => pkg.lgx?.adapter !== undefined)
  .map((pkg) => pkg.name);

/** The checks the package's own conformance test plans from its harness: title and whether it is skipped. */
async function ownPlan(name: string): Promise<Array<[string, 'run' | 'skip']>> {
  const testing: { conformanceHarness: ConformanceHarness<unknown, never> } = await import(`${name}/testing`);
  const main: { default: AdapterDefinition } = await import(name);
  const { adapter = main.default, options } = testing.conformanceHarness;
  return planConformance(adapter, options).map((check) => [check.title, check.skip === undefined ? 'run' : 'skip']);
}

describe('lgx conformance <package>', () => {
  it('finds every adapter package of the repository', () => {
    expect(ADAPTERS).toEqual(
      expect.arrayContaining([
        '@lgx/adapter-govuk-pay',
        '@lgx/adapter-soap',
        '@lgx/adapter-dataverse',
        '@lgx/adapter-rest',
        '@lgx/adapter-template',
      ]),
    );
    expect(ADAPTERS.length).toBeGreaterThanOrEqual(9);
  });

  // Each adapter's own harness, from its `testing` export, run as a user runs it: the same checks its
  // own conformance test plans, every one passing.
  it.each(ADAPTERS)(
    'runs the harness %s/testing exports, the checks its own test runs, and passes',
    async (name) => {
      const result = await lgx(['conformance', name, '--json'], { timeoutMs: 120_000 });
      const report = JSON.parse(result.stdout) as Report;
      expect([name, result.code, report.passed, report.results.filter((r) => r.status === 'fail')]).toEqual([name, 0, true, []]);
      expect(report.results.map((r) => [r.title, r.status === 'skip' ? 'skip' : 'run'])).toEqual(await ownPlan(name));
      expect(report.results.filter((r) => r.status === 'pass').length).toBeGreaterThan(10);
      // The harness gives countRecords and changeStatus: the idempotency check and the status round trip ran.
      const passed = report.results.filter((r) => r.status === 'pass').map((r) => r.id);
      expect(passed).toEqual(expect.arrayContaining(['idempotency', 'health', 'submit', 'close']));
      expect(passed.some((id) => id === 'poll-updates' || id === 'get-status')).toBe(true);
      if (name === '@lgx/adapter-dataverse' || name === '@lgx/adapter-salesforce')
        expect(passed).toEqual(expect.arrayContaining(['idempotency', 'poll-updates', 'classifies-429']));
    },
    150_000,
  );

  it('prints the checks as a table for people', async () => {
    const result = await lgx(['conformance', '@lgx/adapter-govuk-pay'], { timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('running the conformance suite on @lgx/adapter-govuk-pay (govuk-pay 0.1.0)');
    expect(result.stdout).toMatch(/^check +result +detail$/m);
    expect(result.stdout).toMatch(/^\d+ passed, 0 failed, 0 skipped$/m);
  }, 150_000);

  it('takes a TypeScript --harness when node runs with tsx, over the package’s own', async () => {
    const result = await lgx(
      ['conformance', '@lgx/adapter-template', '--harness', 'packages/cli/test/fixtures/example-waste-harness.ts', '--json'],
      {
        env: { NODE_OPTIONS: '--import tsx' },
        timeoutMs: 120_000,
      },
    );
    const report = JSON.parse(result.stdout) as Report;
    expect([result.code, report.passed]).toEqual([0, true]);
    expect(report.results.filter((r) => r.status === 'pass').map((r) => r.id)).toEqual(
      expect.arrayContaining(['idempotency', 'poll-updates', 'get-status-not-found', 'input-not-mutated']),
    );
    expect(report.results.filter((r) => r.status === 'skip')).toEqual([
      expect.objectContaining({ id: 'honours-abort', message: 'skipped by the --harness file' }),
    ]);
  }, 150_000);

  describe('a package without a harness of its own', () => {
    let dir: string;
    beforeAll(() => {
      dir = scratch();
      const write = (pkg: string, files: Record<string, string>) => {
        mkdirSync(path.join(dir, 'node_modules', pkg), { recursive: true });
        for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, 'node_modules', pkg, file), text);
      };
      write('acme-no-testing', {
        'package.json': JSON.stringify({ name: 'acme-no-testing', main: 'index.js' }),
        'index.js': 'module.exports = {};\n',
      });
      write('acme-bare-testing', {
        'package.json': JSON.stringify({ name: 'acme-bare-testing', exports: { '.': './index.js', './testing': './testing.js' } }),
        'index.js': 'module.exports = {};\n',
        'testing.js': 'exports.startAcmeSimulator = () => undefined;\n',
      });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('runs a JavaScript --harness that exports conformanceHarness, and refuses a file that exports no harness (exit 2)', async () => {
      const harness = path.join(dir, 'harness.js');
      writeFileSync(
        harness,
        [
          "const { conformanceHarness } = require('@lgx/adapter-template/testing');",
          "exports.conformanceHarness = { adapter: require('@lgx/adapter-template').default, options: { ...conformanceHarness.options, skip: { 'honours-timeout': 'skipped by harness.js' } } };",
          '',
        ].join('\n'),
      );
      const result = await lgx(['conformance', 'acme-no-testing', '--from', dir, '--harness', './harness.js', '--json'], {
        timeoutMs: 120_000,
      });
      const report = JSON.parse(result.stdout) as Report;
      expect([result.code, report.passed]).toEqual([0, true]);
      expect(report.results.filter((r) => r.status === 'skip')).toEqual([
        expect.objectContaining({ id: 'honours-timeout', message: 'skipped by harness.js' }),
      ]);
      writeFileSync(path.join(dir, 'nothing.js'), 'exports.startAcmeSimulator = () => undefined;\n');
      const nothing = await lgx(['conformance', 'acme-no-testing', '--from', dir, '--harness', './nothing.js']);
      expect([nothing.code, nothing.stderr]).toEqual([
        2,
        expect.stringContaining(
          './nothing.js exports no conformance harness: export conformanceHarness ({ adapter?, options }) or, as default,',
        ),
      ]);
    }, 150_000);

    it('is a usage error (exit 2) that asks for --harness', async () => {
      const none = await lgx(['conformance', 'acme-no-testing', '--from', dir]);
      expect([none.code, none.stderr]).toEqual([
        2,
        expect.stringContaining(
          "acme-no-testing has no 'testing' export with a conformance harness: give its simulator and config with --harness <file>",
        ),
      ]);
      const bare = await lgx(['conformance', 'acme-bare-testing', '--from', dir]);
      expect([bare.code, bare.stderr]).toEqual([2, expect.stringContaining('acme-bare-testing/testing exports no conformanceHarness')]);
    });
  });
});
