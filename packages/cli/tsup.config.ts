import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

const external = ['@lgx/core', '@lgx/core/http', '@lgx/core/soap', '@lgx/core/host', '@lgx/runtime', '@lgx/gateway', '@lgx/testkit'];

export default defineConfig([
  packageBuild({ index: 'src/index.ts' }, { external }),
  // The executable: CommonJS only, with its shebang, no declarations.
  {
    ...packageBuild({ cli: 'src/cli.ts' }, { external }),
    format: ['cjs'],
    dts: false,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
