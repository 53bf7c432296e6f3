import { basename } from 'node:path';
import { DatasetError, ParamError, Progress, cacheDir, writeParquetFile, type StageFunction } from '@graft/core';
import { splitStage } from './spec.js';
import { scanDataset, type CandidateFile } from './scan-dataset.js';
import { datasetHash } from './dataset-fingerprint.js';
import { FileChecks, type FileCheck } from './file-checks.js';
import { assignClassSplits, countSplits } from './assign-split.js';
import { classesTable, domainOf, manifestTable, rejectedTable, type ClassRow, type ManifestRow, type RejectedRow } from './tables.js';
import { splitTarget } from './split-target.js';

type CheckedFile = FileCheck & { readonly file: CandidateFile };

/** The split stage: scan, check every file, assign splits, write manifest, classes and rejected. */
export const runSplit: StageFunction<typeof splitStage> = async (context) => {
  const { params } = context;
  const testPattern = compileTestPattern(params.testPattern);
  const testPercent = testPattern ? 0 : params.testPercent;
  if (params.validationPercent + testPercent >= 100) {
    throw new ParamError(`split: --validation-percent (${params.validationPercent}) + --test-percent (${testPercent}) must be below 100 so that training gets images`);
  }
  if (!context.data) throw new DatasetError('split needs a dataset folder: pass --data <folder with one sub-folder per class>');
  const scanning = new Progress('split: scanning folders', undefined, { quiet: context.quiet });
  const scan = await scanDataset(context.data, () => scanning.tick());
  scanning.finish(`${scan.classNames.length} class folders`);
  if (scan.classNames.length === 0) throw new DatasetError(`dataset ${context.data} has no class sub-folders: expected <data>/<class>/<image files>`);

  // Files unchanged since the last run (size, mtime, ctime, inode) are not read again.
  const fileChecks = await FileChecks.open(cacheDir(context.out), params.maxPixels);
  const checked: CheckedFile[] = await fileChecks.checkAll(scan.files, params.maxPixels, 'split: checking images', context.quiet);

  const rejected: RejectedRow[] = [...scan.rejected];
  const usableByClass = new Map<string, CheckedFile[]>(scan.classNames.map((name) => [name, []]));
  for (const item of checked) {
    if (item.inspection.usable) usableByClass.get(item.file.className)!.push(item);
    else rejected.push({ path: item.file.path, className: item.file.className, reason: item.inspection.reason });
  }

  const included = scan.classNames.filter((name) => usableByClass.get(name)!.length >= params.minImagesPerClass);
  if (included.length < 2) {
    const counts = scan.classNames.map((name) => `${name}: ${usableByClass.get(name)!.length}`).join(', ');
    throw new DatasetError(`dataset ${context.data} needs at least 2 classes with ${params.minImagesPerClass}+ usable images; found ${included.length} (${counts || 'no classes'})`);
  }

  const manifest: ManifestRow[] = [];
  const classes: ClassRow[] = [];
  for (const className of scan.classNames) {
    const items = usableByClass.get(className)!;
    const classIndex = included.indexOf(className);
    if (classIndex < 0) {
      const reason = `${items.length} usable image${items.length === 1 ? '' : 's'}, fewer than the minimum ${params.minImagesPerClass} (split --min-images-per-class)`;
      classes.push({ classIndex: null, className, images: items.length, train: 0, validation: 0, test: 0, excludedReason: reason });
      continue;
    }
    const splits = assignClassSplits(items.map((item) => item.file.path), params.validationPercent, testPercent, testPattern);
    const counts = countSplits(splits);
    classes.push({ classIndex, className, images: items.length, ...counts, excludedReason: null });
    items.forEach((item, i) => {
      const inspection = item.inspection as Extract<typeof item.inspection, { usable: true }>;
      manifest.push({
        path: item.file.path, className, classIndex, split: splits[i]!, sha256: item.sha256, bytes: item.bytes,
        format: inspection.format, width: inspection.width, height: inspection.height,
      });
    });
  }
  // Target domain (--target): appended after the source rows; its labels are read only by evaluate.
  const target = context.target ? await splitTarget(context.target, included, fileChecks, { maxPixels: params.maxPixels, targetTestPercent: params.targetTestPercent, quiet: context.quiet }) : undefined;
  if (target) {
    manifest.push(...target.rows);
    rejected.push(...target.rejected);
  }
  await fileChecks.save();
  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  manifest.sort((a, b) => (domainOf(a) === domainOf(b) ? byPath(a, b) : domainOf(a) === 'source' ? -1 : 1));
  rejected.sort(byPath);

  const details = {
    dataset: {
      name: basename(context.data),
      files: checked.length,
      hash: datasetHash(scan, checked.map((item) => item.sha256)),
    },
    ...(target ? { target: target.details } : {}),
  };
  await writeParquetFile(context.outputPath('manifest'), manifestTable(manifest, context.artifactMetadata('manifest', details)));
  await writeParquetFile(context.outputPath('classes'), classesTable(classes, context.artifactMetadata('classes', details)));
  await writeParquetFile(context.outputPath('rejected'), rejectedTable(rejected, context.artifactMetadata('rejected', details)));

  const sourceRows = manifest.filter((row) => domainOf(row) === 'source');
  const splitCounts = countSplits(sourceRows.map((row) => row.split));
  context.log(
    `split: ${sourceRows.length} images in ${included.length} classes (train ${splitCounts.train}, validation ${splitCounts.validation}, test ${splitCounts.test}); ` +
      `${rejected.length} files rejected${classes.some((c) => c.excludedReason) ? `; classes left out: ${classes.filter((c) => c.excludedReason).map((c) => c.className).join(', ')}` : ''}`,
  );
  const targetSummary = target ? targetCounts(target.rows, target.details.labelled) : undefined;
  if (targetSummary) {
    context.log(`split: target domain ${target!.details.name}: ${targetSummary.targetImages} images, ${targetSummary.targetLabelled ? 'labelled (for evaluation only)' : 'unlabelled'} (adaptation ${targetSummary.targetTrain}, held-out test ${targetSummary.targetTest})`);
  }
  return {
    summary: {
      images: sourceRows.length, classes: included.length, ...splitCounts, rejected: rejected.length, excludedClasses: classes.filter((c) => c.excludedReason).map((c) => c.className),
      ...targetSummary,
      // Files read and decoded by this run; the others were unchanged since the last one (cache/split/).
      filesRead: fileChecks.inspected,
    },
    details,
  };
};

/** --test-pattern as a RegExp (undefined when empty); a bad expression is a ParamError. */
function compileTestPattern(pattern: string): RegExp | undefined {
  if (pattern === '') return undefined;
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new ParamError(`split --test-pattern: ${(error as Error).message}`);
  }
}

function targetCounts(rows: readonly ManifestRow[], labelled: boolean) {
  return { targetImages: rows.length, targetLabelled: labelled, targetTrain: rows.filter((r) => r.split === 'train').length, targetTest: rows.filter((r) => r.split === 'test').length };
}
