import { defineConfig } from 'tsup';

// `testing` is its own entry: the adapter's main entry never loads the simulator or the testkit.
export default defineConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  format: ['cjs', 'esm'],
  dts: { compilerOptions: { composite: false, incremental: false, paths: {} } },
  clean: true,
  target: 'node20',
  platform: 'node',
  external: ['@lgx/core', '@lgx/testkit'],
});
