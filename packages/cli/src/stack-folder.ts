import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadStackOutline } from '@lgx/runtime';

/** Whether a path is a folder (of stack files, one per council) rather than one stack file. */
export function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** The stack files of a folder: its `*.yaml` and `*.yml` files (not its sub-folders), by name. */
export function stackFilesIn(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name) && !entry.name.startsWith('.'))
    .map((entry) => path.resolve(folder, entry.name))
    .sort();
}

/** The councils a stack file, or a folder of them, serves (checked outlines: no secret needed). */
export async function councilsServed(stackOrFolder: string): Promise<string[]> {
  const files = isFolder(stackOrFolder) ? stackFilesIn(stackOrFolder) : [stackOrFolder];
  const councils: string[] = [];
  for (const file of files) councils.push((await loadStackOutline(path.resolve(file))).council);
  return councils;
}
