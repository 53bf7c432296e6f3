#!/usr/bin/env node
// The `graft` command. This file is committed (npm links a workspace's bin when `npm ci` runs,
// before anything is built); it loads the compiled CLI, building it first when it is not built yet
// (e.g. right after `npm ci`, or after `npx turbo run evaluate`, which builds only the stages).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(packageDir, 'dist', 'main.js');
if (!existsSync(main)) {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write('graft: the CLI is not built and TypeScript is not installed: run `npm ci` then `npm run build` in the repository\n');
    process.exit(2);
  }
  process.stderr.write('graft: building the CLI (first run, ~10 s)…\n');
  const build = spawnSync(process.execPath, [tsc, '-b', packageDir], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0 || !existsSync(main)) {
    process.stderr.write('graft: the build failed (see above): run `npm run build` in the repository\n');
    process.exit(2);
  }
}
await import(pathToFileURL(main).href);
