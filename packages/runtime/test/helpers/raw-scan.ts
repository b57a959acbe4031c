/** Raw scans of database files for values that must not be there (personal data at rest, erased subjects). */
import fs from 'node:fs';
import path from 'node:path';

/** Every file under `dir`. */
export function filesIn(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** The values found in the files, as UTF-8 or as they would appear escaped inside a JSON string. */
export function foundIn(files: readonly string[], values: readonly string[]): string[] {
  const contents = files.map((f) => fs.readFileSync(f));
  return values.filter((value) => {
    const forms = [value, JSON.stringify(value).slice(1, -1)].map((form) => Buffer.from(form, 'utf8'));
    return contents.some((content) => forms.some((form) => content.includes(form)));
  });
}
