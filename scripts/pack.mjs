// `npm run pack`: every public package's tarball in one folder (tarballs/, git-ignored), ready for
// `npm install <file>`, a `file:` dependency or `npm publish <file>` to a registry. Run after a build.
import fs from 'node:fs';
import path from 'node:path';
import { formatPacked, packPublicPackages } from './lib/pack.mjs';
import { root } from './lib/workspaces.mjs';

const dest = path.join(root, 'tarballs');
// Old versions would sit beside new ones and be picked up by mistake.
for (const file of fs.existsSync(dest) ? fs.readdirSync(dest) : []) if (file.endsWith('.tgz')) fs.rmSync(path.join(dest, file));
const packed = packPublicPackages(dest);
console.log(formatPacked(packed).join('\n'));
console.log(`\n${packed.length} tarballs in ${path.relative(process.cwd(), dest) || '.'}/`);
