import type { Options } from 'tsup';

/** Shared tsup settings: every package ships ESM and CJS with declarations. */
export function packageBuild(entry: Record<string, string>, extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ['cjs', 'esm'],
    // Declarations are built per package against the other packages' published types (no source paths,
    // no project references), exactly as a consumer sees them.
    dts: { compilerOptions: { composite: false, incremental: false, paths: {} } },
    clean: true,
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    splitting: false,
    treeshake: true,
    // ESM output gets __filename/__dirname from import.meta.url, CJS output gets import.meta.url: one
    // source works in both formats.
    shims: true,
    ...extra,
  };
}
