import { join } from 'node:path';
import { cacheDir, cpuCount, DatasetError, GraftError, Progress, memoryPhase, writeParquetFile, type StageFunction, type ParamValues } from '@graft/core';
import { readManifest, type ManifestRow } from '@graft/split/tables';
import { extractStage } from './spec.js';
import { loadBackbone, type LoadedBackbone } from './backbones/load-backbone.js';
import { FeatureCache } from './feature-cache.js';
import { computeFeatures, sampleBatch, type SkippedImage } from './compute-features.js';
import { openEngine, readOnnxCheck } from './engines/select-engine.js';
import { skippedTable, writeBottlenecks } from './tables.js';
import { shardOf, type Shard } from './shard.js';
import { flushEveryOption } from './flush-option.js';
import { augmentationSettings, augmentTrainSplit } from './augment/augment-train-split.js';
import { augmentedTable } from './augment/augmented-table.js';
import { checkImageRoots, type ImageLocation, type ImageRoots } from './image-roots.js';

type ExtractParams = ParamValues<typeof extractStage>;

/** What an extraction run starts from: the manifest, the backbone, its feature cache. */
export interface Extraction {
  readonly manifest: ManifestRow[];
  readonly backbone: LoadedBackbone;
  readonly cache: FeatureCache;
}

export async function prepareExtraction(params: ExtractParams, manifestPath: string, out: string, log: (message: string) => void): Promise<Extraction> {
  memoryPhase('read the manifest');
  const manifest = await readManifest(manifestPath);
  memoryPhase('load the backbone');
  const backbone = await loadBackbone(params);
  log(`extract: backbone ${backbone.id} (layer ${backbone.layer}, ${backbone.featureDim}-d features, ${backbone.preprocessing.size}px input)`);
  memoryPhase('open the feature cache');
  const cache = await FeatureCache.open(join(cacheDir(out), 'features', backbone.cacheKey), backbone.featureDim);
  if (cache.damaged.length) log(`extract: set aside ${cache.damaged.length} unreadable cache file(s) as *.damaged: ${cache.damaged.join(', ')}`);
  return { manifest, backbone, cache };
}

/** Distinct contents of `rows` that have neither a cached feature nor a cached decode failure. */
export function missingContents(rows: readonly ManifestRow[], cache: FeatureCache): ManifestRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.sha256) && Boolean(seen.add(row.sha256)) && !cache.has(row.sha256) && cache.failureOf(row.sha256) === undefined);
}

/** Compute the features of `todo` into the cache with the best available engine. */
export async function computeMissing(extraction: Extraction, todo: readonly ManifestRow[], params: ExtractParams, dataDir: ImageLocation, out: string, quiet: boolean, log: (message: string) => void, flushEvery?: number) {
  const { backbone, cache } = extraction;
  const threads = params.threads || cpuCount();
  // The engine opens (a worker loads the model) while the first batches decode.
  const opening = openEngine(backbone, {
    choice: params.engine,
    threads,
    onnxCacheDir: join(cacheDir(out), 'onnx'),
    // The export is checked on the first images of the whole manifest, so every shard worker checks (and records) the same.
    sampleBatch: () => sampleBatch(extraction.manifest, dataDir, backbone),
    log,
  }).then((opened) => {
    for (const fallback of opened.fallbacks) log(`extract: engine ${fallback} — falling back`);
    log(`extract: engine ${opened.engine.name}, ${threads} threads, batch ${params.inferenceBatchSize}`);
    return opened;
  });
  const progress = new Progress('extract: features', todo.length, { quiet });
  memoryPhase(`open the engine (ONNX export when not cached) and compute ${todo.length} features (batch ${params.inferenceBatchSize})`);
  try {
    const skipped = await computeFeatures(todo, {
      dataDir, preprocessing: backbone.preprocessing, engine: opening.then((opened) => opened.engine), featureDim: backbone.featureDim, batchSize: params.inferenceBatchSize,
      decodeConcurrency: params.decodeConcurrency || cpuCount(), cache, progress, ...(flushEvery ? { flushEvery } : {}),
    });
    progress.finish(`${progress.rate.toFixed(1)} images/s`);
    return { opened: await opening, skipped };
  } finally {
    await opening.then((opened) => opened.engine.dispose(), () => undefined);
    memoryPhase('after the engine is disposed');
  }
}

/** The extract stage: features of every manifest image, computed once per distinct content. */
export const runExtract: StageFunction<typeof extractStage> = async (context) => {
  const { params } = context;
  if (!context.data) throw new DatasetError('extract needs the dataset folder the manifest was made from: pass --data <folder>');
  const extraction = await prepareExtraction(params, context.inputPath('manifest'), context.out, context.log);
  const { manifest, backbone, cache } = extraction;
  const roots: ImageRoots = { source: context.data, target: context.target };
  checkImageRoots(manifest, roots);
  const todo = missingContents(manifest, cache);
  context.log(`extract: ${manifest.length} images, ${manifest.length - todo.length} already done, ${todo.length} to compute`);
  if (context.execution.merge && todo.length > 0) throw new GraftError(incompleteShardsMessage(todo, context.execution.shards));

  const computed = todo.length > 0 ? await computeMissing(extraction, todo, params, roots, context.out, context.quiet, context.log, flushEveryOption(context.execution.flushEvery)) : undefined;
  const unreadable = new Map((computed?.skipped ?? []).map((s) => [s.sha256, s.reason]));
  const reasonOf = (row: ManifestRow) => unreadable.get(row.sha256) ?? cache.failureOf(row.sha256);
  const kept = manifest.filter((row) => reasonOf(row) === undefined);
  const skipped: SkippedImage[] = manifest.filter((row) => reasonOf(row) !== undefined).map((row) => ({ path: row.path, className: row.className, sha256: row.sha256, reason: reasonOf(row)! }));
  const engines: Record<string, number> = {};
  for (const row of kept) {
    const engine = cache.engineOf(row.sha256);
    engines[engine] = (engines[engine] ?? 0) + 1;
  }

  // Distorted copies of the train split (augmentation): cached like every feature.
  const augmented = await augmentTrainSplit({
    rows: kept, settings: augmentationSettings(params), dataDir: context.data, preprocessing: backbone.preprocessing, featureDim: backbone.featureDim, batchSize: params.inferenceBatchSize, cache, quiet: context.quiet, log: context.log,
    openEngine: async () => (await openEngine(backbone, { choice: params.engine, threads: params.threads || cpuCount(), onnxCacheDir: join(cacheDir(context.out), 'onnx'), sampleBatch: () => sampleBatch(manifest, context.data!, backbone), log: context.log })).engine,
  });

  const details = {
    backbone: { id: backbone.id, layer: backbone.layer, weightsSha256: backbone.weightsSha256, featureDim: backbone.featureDim, licence: backbone.licence, description: backbone.description },
    preprocessing: backbone.preprocessing,
    engines,
  };
  // Recorded whoever computed the features (this process, an earlier run or a shard), so the table is the same.
  const onnxCheck = engines.onnxruntime ? await readOnnxCheck(join(cacheDir(context.out), 'onnx'), backbone.cacheKey) : undefined;
  if (onnxCheck) Object.assign(details, { onnxMaxAbsDiffVsTfjs: onnxCheck.maxAbsDiff });
  memoryPhase('write the bottleneck table');
  await writeBottlenecks(context.outputPath('bottlenecks'), kept, cache, context.artifactMetadata('bottlenecks', details));
  await writeParquetFile(context.outputPath('skipped'), skippedTable(skipped, context.artifactMetadata('skipped', details)));
  await writeParquetFile(context.outputPath('augmented'), augmentedTable(augmented.rows, augmented.features, backbone.featureDim, context.artifactMetadata('augmented', { ...details, augmentation: { copiesPerImage: augmented.summary.copies, rows: augmented.summary.rows, failed: augmented.summary.failed } })));
  const byReason = countBy(skipped.map((s) => s.reason));
  context.log(`extract: ${kept.length} images used, ${skipped.length} skipped${skipped.length ? ` (${Object.entries(byReason).map(([reason, n]) => `${n}× ${reason}`).join('; ')})` : ''}`);
  const computedCount = todo.length - (computed?.skipped.length ?? 0);
  return {
    summary: { images: kept.length, skippedImages: skipped.length, computed: computedCount, cached: manifest.length - todo.length, engine: computed?.opened.engine.name ?? 'cache', backbone: backbone.id, featureDim: backbone.featureDim, augmentedCopies: augmented.summary.rows, augmentedComputed: augmented.summary.computed },
    details,
  };
};

/** `extract --shard k/N`: fill the shared feature cache with this shard's images; no stage output. */
export async function runExtractShard(shard: Shard, params: ExtractParams, manifestPath: string, dataDir: ImageLocation, out: string, quiet: boolean, flushEvery?: number) {
  const log = (message: string) => (quiet ? undefined : process.stderr.write(`${message}\n`));
  const extraction = await prepareExtraction(params, manifestPath, out, log);
  if (typeof dataDir !== 'string') checkImageRoots(extraction.manifest, dataDir);
  const mine = extraction.manifest.filter((row) => shardOf(row.sha256, shard.count) === shard.index);
  const todo = missingContents(mine, extraction.cache);
  log(`extract: shard ${shard.index}/${shard.count}: ${mine.length} images, ${mine.length - todo.length} already done, ${todo.length} to compute`);
  const computed = todo.length > 0 ? await computeMissing(extraction, todo, params, dataDir, out, quiet, log, flushEvery) : undefined;
  return { shard: `${shard.index}/${shard.count}`, images: mine.length, computed: todo.length - (computed?.skipped.length ?? 0), cached: mine.length - todo.length, unreadable: computed?.skipped.length ?? 0, engine: computed?.opened.engine.name ?? 'cache' };
}

function incompleteShardsMessage(todo: readonly ManifestRow[], shards: unknown): string {
  const count = Number(shards);
  const perShard = Number.isInteger(count) && count > 0 ? ` (by shard of ${count}: ${Object.entries(countBy(todo.map((row) => String(shardOf(row.sha256, count))))).map(([k, n]) => `${k}: ${n}`).join(', ')})` : '';
  return `extract --merge: ${todo.length} images have no features yet${perShard}: rerun the incomplete shards (graft extract --shard k/N), or drop --merge to compute them here`;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
