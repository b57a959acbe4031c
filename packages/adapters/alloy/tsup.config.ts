import { defineConfig } from 'tsup';
import { packageBuild } from '../../../tsup.base';

// `testing` is its own entry: the adapter's main entry never loads the simulator or the testkit.
export default defineConfig(
  packageBuild(
    { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    { external: ['@lgx/core', '@lgx/core/http', '@lgx/core/soap', '@lgx/core/host', '@lgx/testkit'] },
  ),
);
