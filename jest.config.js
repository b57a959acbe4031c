/** @type {import('jest').Config} */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/scripts'],
  testMatch: ['**/test/**/*.test.ts'],
  // The CLI's copy of the adapter template, and scratch folders tests create, are not the project's tests.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/packages/cli/template/', '/\\.tmp-'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(p-retry|is-network-error)/)'],
  moduleNameMapper: {
    '^@lgx/core$': '<rootDir>/packages/core/src/index.ts',
    '^@lgx/core/(http|soap|host)$': '<rootDir>/packages/core/src/$1/index.ts',
    '^@lgx/testkit$': '<rootDir>/packages/testkit/src/index.ts',
    '^@lgx/runtime$': '<rootDir>/packages/runtime/src/index.ts',
    '^@lgx/runtime/testing$': '<rootDir>/packages/runtime/src/testing/index.ts',
    '^@lgx/gateway$': '<rootDir>/packages/gateway/src/index.ts',
    '^@lgx/adapter-([a-z0-9-]+)$': '<rootDir>/packages/adapters/$1/src/index.ts',
    '^@lgx/adapter-([a-z0-9-]+)/testing$': '<rootDir>/packages/adapters/$1/src/testing/index.ts',
  },
  testTimeout: 30000,
};
