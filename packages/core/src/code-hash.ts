import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

/** sha256 over the `.js` files below the given folders (sorted): changes when the stage's code does. */
export function codeHash(directories: readonly string[]): string {
  const hash = createHash('sha256');
  for (const directory of directories) {
    for (const file of listJsFiles(directory)) {
      hash.update(file.slice(directory.length)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

function listJsFiles(directory: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(directory).sort()) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) files.push(...listJsFiles(path));
    else if (name.endsWith('.js')) files.push(path);
  }
  return files;
}
