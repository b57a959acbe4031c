import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const eslintBin = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');

interface LintMessage {
  ruleId: string | null;
  line: number;
  message: string;
}

/**
 * Lints `source` with the repository's config as if it were the file `relative` (ESLint in a child
 * process: its flat config is an ES module, which jest's CommonJS sandbox cannot load).
 */
function lintAs(relative: string, source: string): LintMessage[] {
  const run = spawnSync(process.execPath, [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', relative], {
    cwd: root,
    input: source,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const [result] = JSON.parse(run.stdout) as Array<{ messages: LintMessage[] }>;
  return result!.messages;
}

describe('the repository lint config', () => {
  it('refuses `export *` and `export type *` in a package source file, naming the fix', () => {
    const messages = lintAs(
      'packages/runtime/src/lint-sample.ts',
      "export * from './stack/load-stack';\nexport type * from './stack/stack-types';\n",
    );
    expect(messages.map((m) => [m.ruleId, m.line])).toEqual([
      ['no-restricted-syntax', 1],
      ['no-restricted-syntax', 2],
    ]);
    expect(messages[0]!.message).toMatch(/^List exports by name \(export \{ a, type B \} from '\.\/module'\)/);
  });

  it('refuses re-exporting a module under internal/, naming the rule, and accepts importing it', () => {
    const messages = lintAs(
      'packages/runtime/src/lint-sample.ts',
      "export { canonicalJson } from './internal/canonical-json';\nexport type { CsvRow } from '../internal/csv';\n",
    );
    expect(messages.map((m) => [m.ruleId, m.line])).toEqual([
      ['no-restricted-syntax', 1],
      ['no-restricted-syntax', 2],
    ]);
    expect(messages[0]!.message).toMatch(/^Modules under internal\/ are the package's own/);
    expect(
      lintAs(
        'packages/runtime/src/lint-sample.ts',
        "import { canonicalJson } from './internal/canonical-json';\nexport const hashOf = (v: unknown): string => canonicalJson(v);\n",
      ),
    ).toEqual([]);
  });

  it('accepts exports listed by name', () => {
    expect(
      lintAs(
        'packages/runtime/src/lint-sample.ts',
        "export { loadStack } from './stack/load-stack';\nexport type { StackConfig } from './stack/stack-types';\n",
      ),
    ).toEqual([]);
  });
});
