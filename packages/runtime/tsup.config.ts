import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

export default defineConfig(
  packageBuild({ index: 'src/index.ts', testing: 'src/testing/index.ts' }, { external: ['@lgx/core', 'better-sqlite3', 'pg', 'yaml'] }),
);
