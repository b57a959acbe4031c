/** Writes every generated file (schema bundle, types, versions, schema reference docs). */
import fs from 'node:fs';
import path from 'node:path';
import { generatedOutputs } from './generators/outputs';
import { repoRoot } from './generators/schema-files';

let changed = 0;
for (const [file, content] of generatedOutputs()) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (current === content) continue;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  changed++;
  console.log(`wrote ${path.relative(repoRoot, file)}`);
}
console.log(changed ? `${changed} file(s) updated` : 'generated files are up to date');
