import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

interface LintMessage {
  ruleId: string | null;
  line: number;
  message: string;
}

/** Lints files with the repository's ESLint config, through ESLint's API in a node process of its own. */
function lint(files: string[]): Promise<Map<string, LintMessage[]>> {
  const script = [
    "import { ESLint } from 'eslint';",
    'const results = await new ESLint({ cwd: process.cwd() }).lintFiles(JSON.parse(process.argv[1]));',
    'console.log(JSON.stringify(results.map((r) => [r.filePath, r.messages.map(({ ruleId, line, message }) => ({ ruleId, line, message }))])));',
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script, JSON.stringify(files)],
      { cwd: root, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`eslint failed: ${stderr}`));
        resolve(new Map(JSON.parse(stdout) as Array<[string, LintMessage[]]>));
      },
    );
  });
}

// Sample files inside the repository's tree, where the config applies as it does to the real ones.
let dir: string;
let outside: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(root, 'packages', 'gateway', 'test', 'lint-sample-'));
  outside = mkdtempSync(path.join(root, 'examples', 'lint-sample-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('the package boundary lint rules', () => {
  it("refuse a relative import into another package's src/ or test/, and a package the file's package.json does not declare", async () => {
    const sample = path.join(dir, 'sample.ts');
    writeFileSync(
      sample,
      [
        "import { startOpen311Simulator } from '../../../adapters/open311/src/testing';",
        "import { createStack } from '../../../runtime/src/index';",
        "import { startPostgresServer } from '../../../runtime/test/helpers/postgres-server';",
        "export { loadFixtures } from '../../../testkit/src';",
        "import nock from 'nock';",
        "import { createGateway } from '../../src';",
        "import { waitFor } from '@lgx/testkit';",
        "import { createTransaction } from '@lgx/core';",
        "import path from 'node:path';",
        "import fs from 'fs';",
        "const core = require('../../../core/src/index');",
        'export const used = [startOpen311Simulator, createStack, startPostgresServer, nock, createGateway, waitFor, createTransaction, path, fs, core];',
        '',
      ].join('\n'),
    );
    const messages = (await lint([sample])).get(sample)!.filter((m) => m.ruleId?.startsWith('lgx/'));
    expect(messages).toEqual([
      {
        ruleId: 'lgx/no-import-into-other-package',
        line: 1,
        message:
          "'../../../adapters/open311/src/testing' reaches into packages/adapters/open311/src/testing, a file of @lgx/adapter-open311: import '@lgx/adapter-open311/testing' instead, and declare @lgx/adapter-open311 in package.json",
      },
      {
        ruleId: 'lgx/no-import-into-other-package',
        line: 2,
        message:
          "'../../../runtime/src/index' reaches into packages/runtime/src/index, a file of @lgx/runtime: import '@lgx/runtime' instead, and declare @lgx/runtime in package.json",
      },
      {
        ruleId: 'lgx/no-import-into-other-package',
        line: 3,
        message:
          "'../../../runtime/test/helpers/postgres-server' reaches into packages/runtime/test/helpers/postgres-server, a file of @lgx/runtime: @lgx/runtime does not publish it: move what both need into one of its exports (test helpers into its 'testing' entry), and declare @lgx/runtime in package.json",
      },
      {
        ruleId: 'lgx/no-import-into-other-package',
        line: 4,
        message: expect.stringContaining(
          "'../../../testkit/src' reaches into packages/testkit/src, a file of @lgx/testkit: import '@lgx/testkit' instead",
        ),
      },
      {
        ruleId: 'lgx/declared-dependencies',
        line: 5,
        message:
          "'nock' is not declared in packages/gateway/package.json: add it to dependencies, or to devDependencies when only tests use it",
      },
      {
        ruleId: 'lgx/no-import-into-other-package',
        line: 11,
        message: expect.stringContaining("'../../../core/src/index' reaches into packages/core/src/index, a file of @lgx/core"),
      },
    ]);
  }, 150_000);

  it('hold outside the packages too: an example reaches a package by its name only', async () => {
    const sample = path.join(outside, 'index.ts');
    mkdirSync(path.dirname(sample), { recursive: true });
    writeFileSync(
      sample,
      [
        "import { createTransaction } from '../../packages/core/src';",
        "import { loadFixtures } from '@lgx/testkit';",
        'export const used = [createTransaction, loadFixtures];',
        '',
      ].join('\n'),
    );
    const messages = (await lint([sample])).get(sample)!.filter((m) => m.ruleId?.startsWith('lgx/'));
    expect(messages).toEqual([
      { ruleId: 'lgx/no-import-into-other-package', line: 1, message: expect.stringContaining("import '@lgx/core' instead") },
    ]);
  }, 150_000);
});
