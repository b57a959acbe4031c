import fs from 'node:fs';
import path from 'node:path';
import { generatedOutputs } from '../generators/outputs';
import { repoRoot } from '../generators/schema-files';

describe('generated files', () => {
  const outputs = [...generatedOutputs()];

  it('include types, the schema bundle, versions and the schema reference', () => {
    const names = outputs.map(([file]) => path.relative(repoRoot, file));
    expect(names).toEqual(
      expect.arrayContaining([
        'packages/core/src/generated/types.ts',
        'packages/core/src/generated/schema-bundle.ts',
        'packages/core/src/version.ts',
        'docs/schemas/README.md',
        'docs/schemas/street.report.md',
        'packages/runtime/src/generated/stack-config.ts',
        'packages/adapters/rest/src/generated/config-types.ts',
      ]),
    );
  });

  it.each(outputs.map(([file, content]) => [path.relative(repoRoot, file), file, content] as const))(
    '%s is current (run `npm run generate`)',
    (_name, file, content) => {
      expect(fs.existsSync(file)).toBe(true);
      expect(fs.readFileSync(file, 'utf8')).toBe(content);
    },
  );

  it('every package version.ts matches its package.json', () => {
    for (const [file, content] of outputs) {
      if (!file.endsWith(`${path.sep}src${path.sep}version.ts`)) continue;
      const pkg = JSON.parse(fs.readFileSync(path.join(file, '..', '..', 'package.json'), 'utf8')) as { version: string };
      expect(content).toContain(JSON.stringify(pkg.version));
    }
  });
});
