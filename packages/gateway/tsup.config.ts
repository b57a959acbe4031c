import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

export default defineConfig(
  packageBuild(
    { index: 'src/index.ts' },
    { external: ['@lgx/core', '@lgx/core/http', '@lgx/core/soap', '@lgx/core/host', '@lgx/runtime', '@lgx/gateway', '@lgx/testkit'] },
  ),
);
