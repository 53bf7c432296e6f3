import { readdir, stat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from '@graft/core/base';

/** A file found under a class folder. */
export interface CandidateFile {
  /** Path relative to the dataset root, with `/` separators. */
  readonly path: string;
  readonly absolutePath: string;
  /** Name of the top-level class folder the file sits in (at any depth). */
  readonly className: string;
}

/** A file left out while scanning, with the reason. */
export interface ScanRejection {
  readonly path: string;
  readonly className: string | null;
  readonly reason: string;
}

export interface ScanResult {
  /** Class folder names, sorted. */
  readonly classNames: string[];
  readonly files: CandidateFile[];
  readonly rejected: ScanRejection[];
}

const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db', '.ds_store']);

/** Hidden (dot) files, macOS resource forks and OS thumbnail databases are never images. */
export function isHiddenOrSystem(name: string): boolean {
  return name.startsWith('.') || SYSTEM_FILES.has(name.toLowerCase());
}

/**
 * List `<root>/<class>/**`. Class = top-level folder; files in nested sub-folders belong to it.
 * Symlinks are followed (loops are cut); dangling links, hidden/system files and stray files at
 * the root are reported as rejected. Listings are sorted so results never depend on the file system.
 * `onFile` is called for every file found (progress of long walks).
 */
export async function scanDataset(root: string, onFile: () => void = () => {}): Promise<ScanResult> {
  let entries;
  try {
    if (!(await stat(root)).isDirectory()) throw new DatasetError(`dataset ${root} is a file, not a folder of class sub-folders`);
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(`dataset folder ${root} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): pass --data <folder with one sub-folder per class>`, { cause: error });
  }
  const classNames: string[] = [];
  const files: CandidateFile[] = [];
  const rejected: ScanRejection[] = [];
  for (const entry of sortByName(entries)) {
    const absolute = join(root, entry.name);
    const kind = await entryKind(absolute, entry.isSymbolicLink(), entry.isDirectory());
    if (isHiddenOrSystem(entry.name)) {
      if (kind !== 'directory') rejected.push({ path: entry.name, className: null, reason: 'hidden or system file, ignored' });
      continue;
    }
    if (kind === 'dangling') rejected.push({ path: entry.name, className: null, reason: 'dangling symlink' });
    else if (kind === 'file') rejected.push({ path: entry.name, className: null, reason: 'stray file at the dataset root (images must sit in a class folder)' });
    else {
      classNames.push(entry.name);
      await walkClass(absolute, entry.name, entry.name, new Set([await realpath(absolute)]), files, rejected, onFile);
    }
  }
  return { classNames, files, rejected };
}

async function walkClass(directory: string, relative: string, className: string, visited: Set<string>, files: CandidateFile[], rejected: ScanRejection[], onFile: () => void): Promise<void> {
  for (const entry of sortByName(await readdir(directory, { withFileTypes: true }))) {
    const absolute = join(directory, entry.name);
    const path = `${relative}/${entry.name}`;
    const kind = await entryKind(absolute, entry.isSymbolicLink(), entry.isDirectory());
    if (isHiddenOrSystem(entry.name)) {
      if (kind !== 'directory') rejected.push({ path, className, reason: 'hidden or system file, ignored' });
    } else if (kind === 'dangling') {
      rejected.push({ path, className, reason: 'dangling symlink' });
    } else if (kind === 'directory') {
      const real = await realpath(absolute);
      if (visited.has(real)) rejected.push({ path, className, reason: 'symlink loop, not followed' });
      else await walkClass(absolute, path, className, new Set([...visited, real]), files, rejected, onFile);
    } else if (kind === 'file') {
      files.push({ path, absolutePath: absolute, className });
      onFile();
    }
  }
}

async function entryKind(absolute: string, isLink: boolean, isDirectory: boolean): Promise<'file' | 'directory' | 'dangling' | 'other'> {
  if (!isLink) return isDirectory ? 'directory' : 'file';
  try {
    const target = await stat(absolute);
    return target.isDirectory() ? 'directory' : target.isFile() ? 'file' : 'other';
  } catch {
    return 'dangling';
  }
}

function sortByName<T extends { name: string }>(entries: T[]): T[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
