// Preloaded with `node --import` (see modulesLoadedBy in cli-startup.test.ts): appends the URL of every
// module the process resolves, one per line, to the file named by $GRAFT_RECORD_MODULES.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

let file;

/** Hooks-thread side: where to write. */
export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}

// Main-thread side (this same file, loaded by --import): install the hooks above.
if (isMainThread && process.env.GRAFT_RECORD_MODULES) register(import.meta.url, { data: { file: process.env.GRAFT_RECORD_MODULES } });
