import path from 'node:path';
import { repoRoot, coreRoot } from './schema-files';
import { generateSchemaBundle } from './schema-bundle';
import { generateTypes } from './types';
import { generateVersion, versionedPackages } from './version';
import { generateSchemaDocs } from './schema-docs';
import { configTypeOutputs } from './config-types';

/** Every generated file: absolute path -> content. `npm run generate` writes them; a test checks they are current. */
export function generatedOutputs(): Map<string, string> {
  const out = new Map<string, string>();
  out.set(path.join(coreRoot, 'src', 'generated', 'schema-bundle.ts'), generateSchemaBundle());
  out.set(path.join(coreRoot, 'src', 'generated', 'types.ts'), generateTypes());
  for (const dir of versionedPackages()) out.set(path.join(repoRoot, dir, 'src', 'version.ts'), generateVersion(dir));
  for (const [file, content] of generateSchemaDocs()) out.set(path.join(repoRoot, 'docs', 'schemas', file), content);
  for (const [file, content] of configTypeOutputs()) out.set(file, content);
  return out;
}
