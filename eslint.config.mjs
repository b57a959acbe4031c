import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tsbuild/**', 'coverage/**', '**/*.d.ts', 'packages/cli/template/**', '**/.tmp-*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
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
    // A package's surface is what its entries list by name; `export *` would publish internals too.
    files: ['packages/**/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: "List exports by name (export { a, type B } from './module'): `export *` publishes everything the module holds, internals included.",
        },
      ],
    },
  },
);
