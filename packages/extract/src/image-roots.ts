import { join } from 'node:path';
import { DatasetError } from '@graft/core';
import { domainOf, type ManifestRow } from '@graft/split/tables';

/** The folders manifest paths are relative to: the source dataset (`--data`) and the target domain (`--target`). */
export interface ImageRoots {
  readonly source: string;
  readonly target?: string | undefined;
}

/** Where images are read from: one dataset folder, or source and target folders. */
export type ImageLocation = string | ImageRoots;

/** Absolute file of a manifest row: its path under its own domain's folder. */
export function imageFile(row: ManifestRow, location: ImageLocation): string {
  if (typeof location === 'string') return join(location, row.path);
  if (domainOf(row) === 'target') {
    if (!location.target) throw new DatasetError(`the manifest holds target-domain images (${row.path}): pass --target <folder> (the folder split read)`);
    return join(location.target, row.path);
  }
  return join(location.source, row.path);
}

/** Fail early, in one line, when the manifest has target rows but no target folder was given. */
export function checkImageRoots(rows: readonly ManifestRow[], roots: ImageRoots): void {
  const targetRow = rows.find((row) => domainOf(row) === 'target');
  if (targetRow && !roots.target) imageFile(targetRow, roots);
}
