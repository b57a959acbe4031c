import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['cjs', 'esm'],
  dts: { compilerOptions: { composite: false, incremental: false, paths: {} } },
  clean: true,
  target: 'node20',
  platform: 'node',
  external: ['@lgx/core'],
});
