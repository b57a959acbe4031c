import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { schemaRegistry } from '@lgx/core';
import { EXIT, json, type Io } from '../output';
import { need, parse } from '../args';

export const schemasHelp = `lgx schemas export <dir> [--json]

Writes every canonical JSON Schema (2020-12) into <dir> as <type>/v<major>.json, with the shared
definitions, the envelope and query results, exactly as their $ids name them, so relative $refs
resolve on disk. Code generators and other languages can work from them.`;

export async function schemasCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {});
  if (values.help) return (io.out(schemasHelp), EXIT.ok);
  const action = need(positionals, 0, "schemas action ('export')");
  if (action !== 'export') {
    io.err(`error: unknown schemas action '${action}' (export)`);
    return EXIT.usage;
  }
  const dir = path.resolve(need(positionals, 1, 'folder to write into'));
  const written: string[] = [];
  for (const entry of schemaRegistry().entries()) {
    const match = /^https:\/\/schemas\.lgx\.dev\/(.+\.json)$/.exec(entry.$id);
    if (!match) continue;
    const file = path.join(dir, ...match[1]!.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(entry.schema, null, 2)}\n`);
    written.push(path.relative(dir, file));
  }
  io.out(values.json ? json({ dir, files: written }) : `wrote ${written.length} schemas to ${dir}`);
  return EXIT.ok;
}
