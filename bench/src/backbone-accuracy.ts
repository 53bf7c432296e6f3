/**
 * Demo accuracy per bundled backbone, measured by stratified k-fold cross-validation of Graft's
 * own head (train defaults) on the cached bottlenecks — far less noisy than one 33-image test split.
 *
 *   node bench/dist/backbone-accuracy.js [--data <folder> ...] [--folds 5] [--json]
 *
 * Features come from `graft run`'s stages (split + extract) with the feature cache in
 * artifacts/bench/<dataset>/, so a rerun only trains.
 */
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runStage, SeededRandom, CORE_CODE_DIR } from '@graft/core';
import { splitDefinition } from '@graft/split';
import { extractDefinition, readBottlenecks, BUNDLED_BACKBONE_IDS } from '@graft/extract';
import { trainSoftmax, trainStage, type LabelledFeatures, type TrainingOptions } from '@graft/train';
import { useTfjsBackend } from '@graft/tf';

const { values } = parseArgs({ options: { data: { type: 'string', multiple: true }, folds: { type: 'string', default: '5' }, json: { type: 'boolean' }, backbones: { type: 'string' } } });
const root = resolve(import.meta.dirname, '..', '..');
const datasets = values.data ?? [join(root, 'data/emoji-demo5/noto'), join(root, 'data/emoji-demo5/fluent-flat')];
const folds = Number(values.folds);
const backbones = values.backbones ? values.backbones.split(',') : BUNDLED_BACKBONE_IDS;
const trainDefaults = Object.fromEntries(Object.entries(trainStage.params).map(([k, p]) => [k, p.default])) as unknown as Omit<TrainingOptions, 'classCount'>;

function subset(all: LabelledFeatures, indices: number[]): LabelledFeatures {
  const d = all.dimension;
  const features = new Float32Array(indices.length * d);
  indices.forEach((row, i) => features.set(all.features.subarray(row * d, (row + 1) * d), i * d));
  return { features, labels: Int32Array.from(indices, (i) => all.labels[i]!), paths: indices.map((i) => all.paths[i]!), count: indices.length, dimension: d };
}

const results: Record<string, unknown>[] = [];
for (const data of datasets) {
  const out = join(root, 'artifacts', 'bench', basename(data));
  const quiet = true;
  await runStage(splitDefinition.spec, splitDefinition.run, { params: { validationPercent: 10, testPercent: 10, minImagesPerClass: 3, maxPixels: 250_000_000, targetTestPercent: 50 }, out, data, quiet, codeDirs: [...splitDefinition.codeDirs, CORE_CODE_DIR] });
  for (const backbone of backbones) {
    const params = { ...Object.fromEntries(Object.entries(extractDefinition.spec.params).map(([k, p]) => [k, p.default])), backbone } as never;
    const started = performance.now();
    const extract = await runStage(extractDefinition.spec, extractDefinition.run, { params, out, data, quiet, codeDirs: [...extractDefinition.codeDirs, CORE_CODE_DIR] });
    const extractSeconds = (performance.now() - started) / 1000;
    const bottlenecks = await readBottlenecks(join(out, 'extract', 'bottlenecks.parquet'));
    const all: LabelledFeatures = { features: bottlenecks.features, labels: Int32Array.from(bottlenecks.rows, (r) => r.classIndex), paths: bottlenecks.rows.map((r) => r.path), count: bottlenecks.rows.length, dimension: bottlenecks.featureDim };
    const classCount = Math.max(...all.labels) + 1;
    // Stratified folds: shuffle each class with a fixed seed and deal its images round-robin.
    const foldOf = new Int32Array(all.count);
    const random = new SeededRandom(11);
    for (let c = 0; c < classCount; c++) random.shuffle(all.labels.reduce<number[]>((acc, label, i) => (label === c ? [...acc, i] : acc), [])).forEach((row, k) => (foldOf[row] = k % folds));
    await useTfjsBackend();
    const accuracies: number[] = [];
    for (let fold = 0; fold < folds; fold++) {
      const train = subset(all, [...foldOf.keys()].filter((i) => foldOf[i] !== fold));
      const test = subset(all, [...foldOf.keys()].filter((i) => foldOf[i] === fold));
      const { curve } = await trainSoftmax(train, test, { ...trainDefaults, classCount, evalEvery: trainDefaults.steps });
      accuracies.push(curve.at(-1)!.validationAccuracy ?? 0);
    }
    const mean = accuracies.reduce((a, b) => a + b, 0) / folds;
    const sd = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / (folds - 1));
    const row = { dataset: basename(data), backbone, featureDim: bottlenecks.featureDim, images: all.count, folds, cvAccuracy: Number(mean.toFixed(4)), cvAccuracySd: Number(sd.toFixed(4)), engine: extract.summary.engine, extractSeconds: Number(extractSeconds.toFixed(1)) };
    results.push(row);
    if (!values.json) process.stdout.write(`${row.dataset.padEnd(12)} ${backbone.padEnd(22)} ${String(row.featureDim).padStart(5)}-d  ${folds}-fold accuracy ${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)} %  (extract ${row.extractSeconds}s, ${row.engine})\n`);
  }
}
if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
