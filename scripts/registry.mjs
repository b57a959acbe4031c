// `npm run registry`: a local npm registry with every LGX package, for trying LGX from outside this
// repository before the packages are on the public registry. Builds and packs, starts Verdaccio on
// 127.0.0.1 (port 4873, or --port <n>), publishes the tarballs and serves until Ctrl-C, then removes
// its files. In a project: npm config set @lgx:registry http://127.0.0.1:4873/ --location project
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalRegistry } from './lib/local-registry.mjs';
import { formatPacked, packPublicPackages } from './lib/pack.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4873' } } });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-registry-'));
const packed = packPublicPackages(path.join(dir, 'tarballs'));
const registry = await startLocalRegistry({ dir, port: Number(values.port) });
const stop = async () => {
  await registry.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await Promise.all(packed.map((p) => registry.publish(p.file)));
console.log(formatPacked(packed).join('\n'));
console.log(`\npublished ${packed.length} packages to ${registry.url} (Ctrl-C stops it and removes its files)
in your project:  npm config set @lgx:registry ${registry.url} --location project
a new adapter:    npx lgx new adapter <name> --registry ${registry.url}`);
