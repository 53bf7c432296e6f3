#!/usr/bin/env node
// The `graft` command. This file is committed (npm links a workspace's bin when `npm ci` runs,
// before anything is built); it loads the compiled CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('graft: not built yet — run `npm run build` (or `npx turbo run evaluate`, which builds first) in the repository, then try again\n');
  process.exit(2);
}
await import(pathToFileURL(main).href);
