import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, DatasetError, ParamError, Progress, readArtifactHeader, stableStringify, writeFileAtomic, writeParquetFile, type StageFunction } from '@graft/core';
import { FeatureCache, readBottlenecks } from '@graft/extract/tables';
import { classLabels, domainOf, readClasses } from '@graft/split/tables';
import { trainStage } from '@graft/train/spec';
import type { LabelledFeatures } from '@graft/train/head';
import { doctorStage } from './spec.js';
import { unitRows } from './unit-rows.js';
import { searchNeighbours, type SimilarPair } from './neighbours.js';
import { describePair, exactDuplicatePairs, leakedTestRows, PAIR_FINDINGS, type DuplicatePair, type PairFinding } from './findings.js';
import { outOfFoldProbabilities } from './out-of-fold.js';
import { labelIssues, suspicionOrder } from './label-issues.js';
import { outlierScores } from './outliers.js';
import { nearThreshold } from './near-threshold.js';
import { pixelDescriptors, PIXEL_CACHE_KEY, PIXEL_DIMENSION } from './pixel-descriptors.js';
import { duplicatesTable, labelIssuesTable, outliersTable } from './tables.js';

/** The L2 strength the folds use: train's chosen one when train fitted a softmax layer by L-BFGS, else chosen per fold. */
async function trainedL2(headPath: string): Promise<{ l2: number | 'auto'; standardize: boolean }> {
  const { provenance } = await readArtifactHeader(headPath, trainStage.outputs.head.schema, 'train');
  const record = provenance as unknown as { fit?: { optimizer?: string; l2?: number }; head?: { hiddenUnits?: number }; trainedWith?: { standardize?: boolean } };
  const lbfgsSoftmax = record.fit?.optimizer === 'lbfgs' && (record.head?.hiddenUnits ?? 0) === 0 && typeof record.fit.l2 === 'number' && record.fit.l2 > 0;
  return { l2: lbfgsSoftmax ? record.fit!.l2! : 'auto', standardize: record.trainedWith?.standardize ?? true };
}

const countBy = (pairs: readonly DuplicatePair[]) =>
  Object.fromEntries(PAIR_FINDINGS.map((finding) => [finding, pairs.filter((p) => p.finding === finding).length])) as Record<PairFinding, number>;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * The doctor stage: duplicates (exact by content hash, near by feature similarity) and what they
 * mean, likely label errors from out-of-fold predictions, and outliers, for the labelled images of
 * the source domain — from the cached features, without another network pass.
 */
export const runDoctor: StageFunction<typeof doctorStage> = async (context) => {
  const { params } = context;
  const bottlenecks = await readBottlenecks(context.inputPath('bottlenecks'));
  const labels = classLabels(await readClasses(context.inputPath('classes')));
  const { featureDim } = bottlenecks;
  const picked = bottlenecks.rows.flatMap((row, i) => (domainOf(row) === 'source' && row.classIndex >= 0 ? [i] : []));
  if (picked.length < 2) throw new DatasetError(`doctor needs at least 2 labelled images; the bottlenecks have ${picked.length}`);
  const rows = picked.map((i) => bottlenecks.rows[i]!);
  const features = new Float32Array(picked.length * featureDim);
  picked.forEach((row, i) => features.set(bottlenecks.features.subarray(row * featureDim, (row + 1) * featureDim), i * featureDim));
  const started = performance.now();

  // Near duplicates by features (--doctor-near-by features) or by pixels.
  const nearBy = params.doctorNearBy as 'pixels' | 'features';
  const { threshold, source: thresholdSource } = nearThreshold(nearBy, params.doctorNearThreshold, bottlenecks.provenance.backbone.id);
  let nearPairs: SimilarPair[] = [];
  let pairsNotKept = 0;
  let unreadable: { row: number; reason: string }[] = [];
  if (nearBy === 'features') {
    const bar = new Progress('doctor: similar pairs by features, images', rows.length, { quiet: context.quiet });
    ({ pairs: nearPairs, pairsNotKept } = searchNeighbours(unitRows(features, featureDim), featureDim, { k: 0, threshold, maxPairs: params.doctorMaxPairs, onBlock: (done) => bar.tick(done - bar.count) }));
    bar.finish();
  } else {
    if (!context.data || !existsSync(context.data)) throw new ParamError(`doctor --doctor-near-by pixels reads the images, but the dataset folder ${context.data ? `${context.data} was not found` : 'was not given (--data)'}: pass --data, or use --doctor-near-by features`);
    const pixelBar = new Progress('doctor: pixel descriptors, images', rows.length, { quiet: context.quiet });
    const cache = await FeatureCache.open(join(cacheDir(context.out), 'pixels', PIXEL_CACHE_KEY), PIXEL_DIMENSION);
    const pixels = await pixelDescriptors(rows, context.data, cache, () => pixelBar.tick());
    pixelBar.finish(`${pixels.computed} computed, ${rows.length - pixels.computed - pixels.unusable.length} from the cache${pixels.unusable.length ? `, ${pixels.unusable.length} files not compared (changed or unreadable)` : ''}`);
    unreadable = pixels.unusable;
    const byPixels = searchNeighbours(pixels.descriptors, PIXEL_DIMENSION, { k: 0, threshold, maxPairs: params.doctorMaxPairs });
    const skip = new Set(unreadable.map((u) => u.row));
    nearPairs = byPixels.pairs.filter((p) => !skip.has(p.a) && !skip.has(p.b));
    pairsNotKept = byPixels.pairsNotKept;
  }
  const pairsSeconds = (performance.now() - started) / 1000;
  const exact = exactDuplicatePairs(rows).map(([a, b]) => describePair(rows, 'exact', a, b, 1));
  const near = nearPairs.filter((p) => rows[p.a]!.sha256 !== rows[p.b]!.sha256).map((p) => describePair(rows, 'near', p.a, p.b, p.similarity));
  const pairs = [...exact, ...near];
  const leaked = leakedTestRows(rows, pairs);

  // Label errors: every image scored by a head fitted without it.
  const foldStarted = performance.now();
  const { l2, standardize } = await trainedL2(context.inputPath('head'));
  const all: LabelledFeatures = { features, labels: Int32Array.from(rows, (r) => r.classIndex), paths: rows.map((r) => r.path), count: rows.length, dimension: featureDim };
  const foldBar = new Progress('doctor: out-of-fold heads', params.doctorFolds, { quiet: context.quiet });
  const probabilities = outOfFoldProbabilities(all, { classCount: labels.length, folds: params.doctorFolds, seed: params.doctorSeed, l2, standardize, onFold: () => foldBar.tick() });
  foldBar.finish();
  const checks = labelIssues(probabilities, all.labels, labels.length);
  const suspicion = suspicionOrder(checks);
  const outOfFoldAccuracy = checks.filter((c) => c.margin > 0).length / checks.length;
  const foldSeconds = (performance.now() - foldStarted) / 1000;

  const outliers = outlierScores(features, featureDim, all.labels, labels.length);
  const outlierOrder = Array.from(outliers.score, (_, i) => i).sort((a, b) => outliers.score[b]! - outliers.score[a]! || a - b);

  const details = { backbone: bottlenecks.provenance.backbone, nearDuplicates: { by: nearBy, threshold, source: thresholdSource }, l2: { value: l2, standardize } };
  await writeParquetFile(context.outputPath('duplicates'), duplicatesTable(rows, pairs, context.artifactMetadata('duplicates', details)));
  await writeParquetFile(context.outputPath('labelIssues'), labelIssuesTable(rows, checks, suspicion, labels, context.artifactMetadata('labelIssues', details)));
  await writeParquetFile(context.outputPath('outliers'), outliersTable(rows, outliers, outlierOrder, labels, context.artifactMetadata('outliers', details)));

  const flaggedLabels = checks.filter((c) => c.flagged).length;
  const flaggedOutliers = outliers.flagged.filter(Boolean).length;
  const summary = {
    images: rows.length,
    exactDuplicates: { pairs: exact.length, ...countBy(exact) },
    nearDuplicates: { pairs: near.length, ...countBy(near), notKept: pairsNotKept, by: nearBy, threshold, thresholdSource, notCompared: unreadable.map((u) => ({ path: rows[u.row]!.path, reason: u.reason })) },
    leakedTestImages: leaked.map((i) => rows[i]!.path),
    testImages: rows.filter((r) => r.split === 'test').length,
    labelIssues: { flagged: flaggedLabels, folds: params.doctorFolds, l2, outOfFoldAccuracy },
    outliers: { flagged: flaggedOutliers },
  };
  await writeFileAtomic(context.outputPath('summary'), stableStringify(summary, 2) + '\n');
  const conflicts = exact.filter((p) => p.acrossClasses).length + near.filter((p) => p.acrossClasses).length;
  const headline =
    `Dataset check: ${exact.length} exact and ${near.length} near duplicate pair${near.length === 1 ? '' : 's'} (${plural(conflicts, 'label conflict')}, ` +
    `${plural(leaked.length, 'test image')} leaked from train/validation), ${plural(flaggedLabels, 'likely label error')}, ${plural(flaggedOutliers, 'outlier')} among ${rows.length} images`;
  context.log(`doctor: similar pairs of ${rows.length} images by ${nearBy} in ${pairsSeconds.toFixed(2)}s, ${params.doctorFolds} out-of-fold heads in ${foldSeconds.toFixed(2)}s (l2 ${l2}), out-of-fold accuracy ${(100 * outOfFoldAccuracy).toFixed(1)}%`);
  return { summary: { ...summary, headline }, details };
};
