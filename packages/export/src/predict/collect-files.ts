import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Names never treated as images (as split skips them). */
const IGNORED = /^(\.|_\.|Thumbs\.db$|desktop\.ini$)/i;

/** A path given to predict: a file to classify, or one that cannot be (missing, unreadable). */
export type InputFile = { readonly path: string } | { readonly path: string; readonly error: string };

/**
 * Expand files and folders (recursively, sorted, hidden and system files skipped) into the files
 * to classify, in the order given. Paths that do not exist are kept, with the reason.
 */
export async function collectFiles(paths: readonly string[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      files.push({ path, error: `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
      continue;
    }
    if (info.isDirectory()) files.push(...(await listFolder(path)).map((file) => ({ path: file })));
    else files.push({ path });
  }
  return files;
}

async function listFolder(folder: string): Promise<string[]> {
  const entries = (await readdir(folder, { withFileTypes: true })).filter((entry) => !IGNORED.test(entry.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await listFolder(path)));
    else if (entry.isFile() || entry.isSymbolicLink()) files.push(path);
  }
  return files;
}
