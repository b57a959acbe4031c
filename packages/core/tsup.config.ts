import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// Splitting keeps one
// copy of shared modules (error classes) across the entry points, so instanceof holds between them.
export default defineConfig(
  packageBuild(
    { index: 'src/index.ts', http: 'src/http/index.ts', soap: 'src/soap/index.ts', host: 'src/host/index.ts' },
    { external: ['soap'], splitting: true },
  ),
);
