import { join } from 'node:path';
import { cacheDir, cpuCount, DatasetError, Progress, writeParquetFile, type StageFunction } from '@graft/core';
import { readManifest, type ManifestRow } from '@graft/split';
import { extractStage } from './spec.js';
import { loadBackbone } from './backbones/load-backbone.js';
import { FeatureCache } from './feature-cache.js';
import { computeFeatures, decodeManifestImage, type SkippedImage } from './compute-features.js';
import { openEngine, type OpenedEngine } from './engines/select-engine.js';
import { bottleneckTable, skippedTable } from './tables.js';
import { augmentationSettings, augmentTrainSplit } from './augment/augment-train-split.js';
import { augmentedTable } from './augment/augmented-table.js';

/** The extract stage: features of every manifest image, computed once per distinct content. */
export const runExtract: StageFunction<typeof extractStage> = async (context) => {
  const { params } = context;
  if (!context.data) throw new DatasetError('extract needs the dataset folder the manifest was made from: pass --data <folder>');
  const dataDir = context.data;
  const manifest = await readManifest(context.inputPath('manifest'));
  const backbone = await loadBackbone(params);
  const { preprocessing, featureDim } = backbone;
  context.log(`extract: backbone ${backbone.id} (layer ${backbone.layer}, ${featureDim}-d features, ${preprocessing.size}px input)`);

  const cache = await FeatureCache.open(join(cacheDir(context.out), 'features', backbone.cacheKey), featureDim);
  if (cache.damaged.length) context.log(`extract: ignored ${cache.damaged.length} damaged cache chunk(s), renamed *.damaged`);
  const todo = distinctContents(manifest).filter((row) => !cache.has(row.sha256));
  context.log(`extract: ${manifest.length} images, ${manifest.length - todo.length} already cached, ${todo.length} to compute`);

  let opened: OpenedEngine | undefined;
  let skipped: SkippedImage[] = [];
  const threads = params.threads || cpuCount();
  if (todo.length > 0) {
    opened = await openEngine(backbone, {
      choice: params.engine,
      threads,
      onnxCacheDir: join(cacheDir(context.out), 'onnx'),
      sampleBatch: () => sampleBatch(todo, dataDir, preprocessing),
      log: context.log,
    });
    for (const fallback of opened.fallbacks) context.log(`extract: engine ${fallback} — falling back`);
    context.log(`extract: engine ${opened.engine.name}, ${threads} threads, batch ${params.inferenceBatchSize}`);
    const progress = new Progress('extract: features', todo.length, { quiet: context.quiet });
    skipped = await computeFeatures(todo, { dataDir, preprocessing, engine: opened.engine, featureDim, batchSize: params.inferenceBatchSize, cache, progress });
    progress.finish(`${(progress.rate).toFixed(1)} images/s`);
    await opened.engine.dispose();
  }

  const reasonOf = new Map(skipped.map((s) => [s.sha256, s.reason]));
  const kept = manifest.filter((row) => !reasonOf.has(row.sha256));
  const allSkipped: SkippedImage[] = manifest.filter((row) => reasonOf.has(row.sha256)).map((row) => ({ path: row.path, className: row.className, sha256: row.sha256, reason: reasonOf.get(row.sha256)! }));
  const features = new Float32Array(kept.length * featureDim);
  const engines: Record<string, number> = {};
  kept.forEach((row, i) => {
    const engine = cache.copyInto(row.sha256, features, i * featureDim);
    engines[engine] = (engines[engine] ?? 0) + 1;
  });

  const augmented = await augmentTrainSplit({
    rows: kept, settings: augmentationSettings(params), dataDir, preprocessing, featureDim, batchSize: params.inferenceBatchSize, cache, quiet: context.quiet, log: context.log,
    openEngine: async () => (await openEngine(backbone, { choice: params.engine, threads, onnxCacheDir: join(cacheDir(context.out), 'onnx'), sampleBatch: () => sampleBatch(kept, dataDir, preprocessing), log: context.log })).engine,
  });

  const details = {
    backbone: { id: backbone.id, layer: backbone.layer, weightsSha256: backbone.weightsSha256, featureDim, licence: backbone.licence, description: backbone.description },
    preprocessing,
    engines,
    ...(opened?.onnxCheck ? { onnxMaxAbsDiffVsTfjs: opened.onnxCheck.maxAbsDiff } : {}),
  };
  await writeParquetFile(context.outputPath('bottlenecks'), bottleneckTable(kept, features, featureDim, context.artifactMetadata('bottlenecks', details)));
  await writeParquetFile(context.outputPath('skipped'), skippedTable(allSkipped, context.artifactMetadata('skipped', details)));
  await writeParquetFile(context.outputPath('augmented'), augmentedTable(augmented.rows, augmented.features, featureDim, context.artifactMetadata('augmented', { ...details, augmentation: { copiesPerImage: augmented.summary.copies, rows: augmented.summary.rows, failed: augmented.summary.failed } })));
  const byReason = countBy(allSkipped.map((s) => s.reason));
  context.log(`extract: ${kept.length} images used, ${allSkipped.length} skipped${allSkipped.length ? ` (${Object.entries(byReason).map(([reason, n]) => `${n}× ${reason}`).join('; ')})` : ''}`);
  return {
    summary: { images: kept.length, skippedImages: allSkipped.length, computed: todo.length - skipped.length, cached: manifest.length - todo.length, engine: opened?.engine.name ?? 'cache', backbone: backbone.id, featureDim, augmentedCopies: augmented.summary.rows, augmentedComputed: augmented.summary.computed },
    details,
  };
};

/** One row per distinct content (identical files are computed once). */
function distinctContents(rows: readonly ManifestRow[]): ManifestRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.sha256) && Boolean(seen.add(row.sha256)));
}

async function sampleBatch(rows: readonly ManifestRow[], dataDir: string, preprocessing: Parameters<typeof decodeManifestImage>[2]) {
  const imageSize = preprocessing.size * preprocessing.size * 3;
  const batch = new Float32Array(4 * imageSize);
  let n = 0;
  for (const row of rows) {
    if (n === 4) break;
    if ((await decodeManifestImage(row, dataDir, preprocessing, batch, n * imageSize)) === undefined) n++;
  }
  return { batch, n };
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
