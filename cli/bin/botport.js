#!/usr/bin/env node
'use strict';
// `npx botport …` from the repository. The CLI is TypeScript, built by `npm run build`.
const path = require('node:path');
const fs = require('node:fs');

const main = path.join(__dirname, '..', 'dist', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write('botport: the CLI is not built yet; run `npm run build` (npm start and npm test build it too)\n');
  process.exit(2);
}
require(main).run(process.argv);
