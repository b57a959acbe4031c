// Copies the adapter template (packages/adapters/template: src, test, README) into the CLI package,
// so `lgx new adapter` works from an installed @lgx/cli, where the monorepo is not at hand.
import fs from 'node:fs';
import path from 'node:path';

const cli = path.resolve(import.meta.dirname, '..');
const source = path.resolve(cli, '..', 'adapters', 'template');
const target = path.join(cli, 'template');
fs.rmSync(target, { recursive: true, force: true });
for (const part of ['src', 'test', 'README.md']) fs.cpSync(path.join(source, part), path.join(target, part), { recursive: true });
