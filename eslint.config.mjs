import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { packageBoundaries } from './scripts/eslint/package-boundaries.mjs';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tsbuild/**', 'coverage/**', '**/*.d.ts', 'packages/cli/template/**', '**/.tmp-*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Packages reach each other by name only, and name only what their package.json declares.
    plugins: { lgx: packageBoundaries },
    rules: { 'lgx/no-import-into-other-package': 'error' },
  },
  {
    files: ['packages/**'],
    // The build tools (tsup) come from the repository's root, for every package alike.
    ignores: ['**/tsup.config.ts'],
    rules: { 'lgx/declared-dependencies': 'error' },
  },
  {
    // The benchmarks measure the packages' sources as they are, without a build, so some reach them
    // by path: the adapters, the gateway, and the runtime's throwaway PostgreSQL server for tests.
    files: ['bench/**'],
    rules: { 'lgx/no-import-into-other-package': 'off' },
  },
  {
    // Repository tooling reads the packages' sources: the config-type generator reads each config
    // schema, and the public-surface check compares every entry's source with what it exports.
    files: ['scripts/generators/**', 'scripts/test/public-surface.test.ts'],
    rules: { 'lgx/no-import-into-other-package': 'off' },
  },
  {
    // Plain CommonJS launchers (the lgx bin shim).
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Libraries log through the injected logger only.
    files: ['packages/**/src/**/*.ts'],
    ignores: ['packages/cli/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // A package's surface is what its entries list by name; `export *` would publish internals too,
    // and so would re-exporting from an internal/ folder.
    files: ['packages/**/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message:
            "List exports by name (export { a, type B } from './module'): `export *` publishes everything the module holds, internals included.",
        },
        {
          selector: 'ExportNamedDeclaration[source.value=/(^|\\/)internal(\\/|$)/]',
          message:
            "Modules under internal/ are the package's own: use them, never re-export them (a name users may import belongs in a module outside internal/).",
        },
      ],
    },
  },
);
