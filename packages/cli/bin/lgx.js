#!/usr/bin/env node
// The `lgx` command. This file exists before the package is built, so `npm install` links it in a fresh
// clone; it runs the compiled CLI, or says how to build it.
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const compiled = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(compiled)) {
  process.stderr.write(
    'lgx: this copy of @lgx/cli is not built yet (no dist/cli.js). In a clone of the LGX repository run `npm run build` first.\n',
  );
  process.exit(1);
}
require(compiled);
