import { basename } from 'node:path';
import { DatasetError, hashJson } from '@graft/core';
import type { FileChecks } from './file-checks.js';
import { scanTarget, targetSplit } from './target-domain.js';
import type { ManifestRow, RejectedRow } from './tables.js';

export interface TargetSplitResult {
  readonly rows: ManifestRow[];
  /** Rejected target files; their reason starts with "target domain:". */
  readonly rejected: RejectedRow[];
  /** For provenance: the folder's name, file count, content hash and whether it is labelled. */
  readonly details: { name: string; files: number; hash: string; labelled: boolean };
}

/**
 * The target-domain rows of the manifest: every usable image of `--target`, `domain = target`,
 * split train (adaptation) or test (held out) by path hash; labelled with the source class of its
 * folder, or unlabelled (class index -1, class name '') in a flat folder.
 */
export async function splitTarget(root: string, labels: readonly string[], fileChecks: FileChecks, options: { maxPixels: number; targetTestPercent: number; quiet: boolean }): Promise<TargetSplitResult> {
  const scan = await scanTarget(root, labels);
  const checked = await fileChecks.checkAll(scan.files, options.maxPixels, 'split: checking target images', options.quiet);
  const rows: ManifestRow[] = [];
  const rejected: RejectedRow[] = scan.rejected.map((r) => ({ ...r, reason: `target domain: ${r.reason}` }));
  for (const item of checked) {
    const { inspection, file } = item;
    if (!inspection.usable) {
      rejected.push({ path: file.path, className: file.className || null, reason: `target domain: ${inspection.reason}` });
      continue;
    }
    rows.push({
      path: file.path, className: file.className, classIndex: scan.labelled ? labels.indexOf(file.className) : -1, split: targetSplit(file.path, options.targetTestPercent),
      sha256: item.sha256, bytes: item.bytes, format: inspection.format, width: inspection.width, height: inspection.height, domain: 'target',
    });
  }
  if (rows.length === 0) throw new DatasetError(`target ${root} has no usable images (${rejected.length} files rejected)`);
  return {
    rows,
    rejected,
    details: { name: basename(root), files: checked.length, hash: hashJson(checked.map((item) => [item.file.path, item.sha256])), labelled: scan.labelled },
  };
}
