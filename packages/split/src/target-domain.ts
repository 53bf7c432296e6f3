import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from '@graft/core';
import { isHiddenOrSystem, scanDataset, type CandidateFile, type ScanRejection } from './scan-dataset.js';
import { pathPercentage, type Split } from './assign-split.js';

/** The target-domain folder as split sees it: labelled by class sub-folders, or a flat folder of unlabelled images. */
export interface TargetScan {
  /** True when the folder has class sub-folders (labels used only by evaluate). */
  readonly labelled: boolean;
  /** Files; `className` is '' in a flat (unlabelled) folder. */
  readonly files: CandidateFile[];
  readonly rejected: ScanRejection[];
}

/**
 * List the target-domain folder. Any sub-folder makes it labelled (`<target>/<class>/**`, as the
 * source; every class must be a source class); otherwise it is a flat folder of unlabelled images.
 */
export async function scanTarget(root: string, sourceClasses: readonly string[]): Promise<TargetScan> {
  let entries;
  try {
    if (!(await stat(root)).isDirectory()) throw new DatasetError(`target ${root} is a file, not a folder of images`);
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(`target folder ${root} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): pass --target <folder of images, or of class sub-folders>`, { cause: error });
  }
  const visible = entries.filter((entry) => !isHiddenOrSystem(entry.name));
  const hasFolders = await someAsync(visible, async (entry) => entry.isDirectory() || (entry.isSymbolicLink() && (await stat(join(root, entry.name)).catch(() => undefined))?.isDirectory() === true));
  if (hasFolders) {
    const scan = await scanDataset(root);
    const unknown = scan.classNames.filter((name) => !sourceClasses.includes(name));
    if (unknown.length > 0) {
      throw new DatasetError(`target ${root} has class folders that are not source classes: ${unknown.join(', ')} (source classes: ${sourceClasses.join(', ')}); a flat folder of images is read as unlabelled`);
    }
    return { labelled: true, files: scan.files, rejected: scan.rejected };
  }
  const files: CandidateFile[] = [];
  const rejected: ScanRejection[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const absolutePath = join(root, entry.name);
    if (isHiddenOrSystem(entry.name)) rejected.push({ path: entry.name, className: null, reason: 'hidden or system file, ignored' });
    else if ((await stat(absolutePath).catch(() => undefined)) === undefined) rejected.push({ path: entry.name, className: null, reason: 'dangling symlink' });
    else files.push({ path: entry.name, absolutePath, className: '' });
  }
  return { labelled: false, files, rejected };
}

/** Target images are adaptation data ('train') or the held-out target test set, by the same path hash as source splits. */
export function targetSplit(relativePath: string, targetTestPercent: number): Split {
  return pathPercentage(relativePath) < targetTestPercent ? 'test' : 'train';
}

async function someAsync<T>(items: readonly T[], predicate: (item: T) => Promise<boolean>): Promise<boolean> {
  for (const item of items) if (await predicate(item)) return true;
  return false;
}
