/**
 * Demo accuracy per bundled backbone, measured by stratified k-fold cross-validation of Graft's
 * own head (train defaults; the held-out fold never reaches it) on the cached bottlenecks — far less noisy than one 33-image test split.
 *
 *   node bench/dist/backbone-accuracy.js [--data <folder> ...] [--folds 5] [--json]
 *
 * --variants also measures L2-normalised and standardised features and two layers concatenated.
 * Features come from `graft run`'s stages (split + extract) with the feature cache in
 * artifacts/bench/<dataset>/, so a rerun only trains.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runStage, SeededRandom, CORE_CODE_DIR } from '@graft/core';
import { splitDefinition } from '@graft/split';
import { extractDefinition, readBottlenecks, BACKBONE_IDS } from '@graft/extract';
import { headProbabilities, trainHead, trainStage, type LabelledFeatures, type TrainingOptions } from '@graft/train';

const { values } = parseArgs({ options: { data: { type: 'string', multiple: true }, folds: { type: 'string', default: '5' }, json: { type: 'boolean' }, backbones: { type: 'string' }, write: { type: 'boolean' }, variants: { type: 'boolean' } } });
const root = resolve(import.meta.dirname, '..', '..');
const datasets = values.data ?? [join(root, 'data/emoji-demo5/noto'), join(root, 'data/emoji-demo5/fluent-flat')];
const folds = Number(values.folds);
const backbones = values.backbones ? values.backbones.split(',') : BACKBONE_IDS;
const trainDefaults = Object.fromEntries(Object.entries(trainStage.params).filter(([k]) => k !== 'sweep').map(([k, p]) => [k, p.default])) as unknown as Omit<TrainingOptions, 'classCount'>;

function subset(all: LabelledFeatures, indices: number[]): LabelledFeatures {
  const d = all.dimension;
  const features = new Float32Array(indices.length * d);
  indices.forEach((row, i) => features.set(all.features.subarray(row * d, (row + 1) * d), i * d));
  return { features, labels: Int32Array.from(indices, (i) => all.labels[i]!), paths: indices.map((i) => all.paths[i]!), count: indices.length, dimension: d };
}

const results: Record<string, unknown>[] = [];
const featuresOf = new Map<string, LabelledFeatures>();
for (const data of datasets) {
  const out = join(root, 'artifacts', 'bench', basename(data));
  const quiet = true;
  await runStage(splitDefinition.spec, splitDefinition.run, { params: { validationPercent: 10, testPercent: 10, minImagesPerClass: 3, maxPixels: 250_000_000, testPattern: '', targetTestPercent: 50 }, out, data, quiet, codeDirs: [...splitDefinition.codeDirs, CORE_CODE_DIR] });
  for (const backbone of backbones) {
    const params = { ...Object.fromEntries(Object.entries(extractDefinition.spec.params).map(([k, p]) => [k, p.default])), backbone } as never;
    const started = performance.now();
    const extract = await runStage(extractDefinition.spec, extractDefinition.run, { params, out, data, quiet, codeDirs: [...extractDefinition.codeDirs, CORE_CODE_DIR] });
    const extractSeconds = (performance.now() - started) / 1000;
    const bottlenecks = await readBottlenecks(join(out, 'extract', 'bottlenecks.parquet'));
    const all: LabelledFeatures = { features: bottlenecks.features, labels: Int32Array.from(bottlenecks.rows, (r) => r.classIndex), paths: bottlenecks.rows.map((r) => r.path), count: bottlenecks.rows.length, dimension: bottlenecks.featureDim };
    const classCount = Math.max(...all.labels) + 1;
    const foldOf = stratifiedFolds(all.labels, classCount);
    featuresOf.set(backbone, all);
    const variants: [string, Transform][] = [['raw', (train, test) => [train, test]], ...(values.variants ? ([['l2', l2Rows], ['standardized', standardize]] as [string, Transform][]) : [])];
    for (const [variant, transform] of variants) {
      const { mean, sd } = await crossValidate(all, foldOf, classCount, transform);
      const row = { dataset: basename(data), backbone, features: variant, featureDim: bottlenecks.featureDim, images: all.count, folds, cvAccuracy: Number(mean.toFixed(4)), cvAccuracySd: Number(sd.toFixed(4)), engine: extract.summary.engine, extractSeconds: Number(extractSeconds.toFixed(1)) };
      results.push(row);
      if (!values.json) process.stdout.write(`${row.dataset.padEnd(12)} ${backbone.padEnd(22)} ${variant.padEnd(12)} ${String(row.featureDim).padStart(5)}-d  ${folds}-fold accuracy ${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)} %  (extract ${row.extractSeconds}s, ${row.engine})\n`);
    }
  }
  // Two layers of one network, concatenated (mixed7 pooled + the final 2048-d pool).
  const [first, second] = [featuresOf.get('inception_v3_mixed7'), featuresOf.get('inception_v3')];
  if (values.variants && first && second) {
    const joined = concatenateFeatures(first, second);
    const classCount = Math.max(...joined.labels) + 1;
    const foldOf = stratifiedFolds(joined.labels, classCount);
    const { mean, sd } = await crossValidate(joined, foldOf, classCount, (train, test) => [train, test]);
    results.push({ dataset: basename(data), backbone: 'inception_v3_mixed7+inception_v3', features: 'concatenated', featureDim: joined.dimension, images: joined.count, folds, cvAccuracy: Number(mean.toFixed(4)), cvAccuracySd: Number(sd.toFixed(4)) });
    if (!values.json) process.stdout.write(`${basename(data).padEnd(12)} ${'mixed7 + flatten_1'.padEnd(22)} ${'concatenated'.padEnd(12)} ${String(joined.dimension).padStart(5)}-d  ${folds}-fold accuracy ${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)} %\n`);
  }
  featuresOf.clear();
}

type Transform = (train: LabelledFeatures, test: LabelledFeatures) => [LabelledFeatures, LabelledFeatures];

async function crossValidate(all: LabelledFeatures, foldOf: Int32Array, classCount: number, transform: Transform): Promise<{ mean: number; sd: number }> {
  const accuracies: number[] = [];
  const none = subset(all, []);
  for (let fold = 0; fold < folds; fold++) {
    const [train, test] = transform(subset(all, [...foldOf.keys()].filter((i) => foldOf[i] !== fold)), subset(all, [...foldOf.keys()].filter((i) => foldOf[i] === fold)));
    // No validation split: the held-out fold must not reach the head's own choices (its L2 strength).
    const { head } = trainHead(train, none, { ...trainDefaults, classCount });
    const probabilities = headProbabilities(head, test.features);
    let correct = 0;
    for (let i = 0; i < test.count; i++) {
      let best = 0;
      for (let c = 1; c < classCount; c++) if (probabilities[i * classCount + c]! > probabilities[i * classCount + best]!) best = c;
      if (best === test.labels[i]) correct++;
    }
    accuracies.push(correct / test.count);
  }
  const mean = accuracies.reduce((a, b) => a + b, 0) / folds;
  return { mean, sd: Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / (folds - 1)) };
}

/** Stratified folds: shuffle each class with a fixed seed and deal its images round-robin. */
function stratifiedFolds(labels: Int32Array, classCount: number): Int32Array {
  const foldOf = new Int32Array(labels.length);
  const random = new SeededRandom(11);
  for (let c = 0; c < classCount; c++) random.shuffle(labels.reduce<number[]>((acc, label, i) => (label === c ? [...acc, i] : acc), [])).forEach((row, k) => (foldOf[row] = k % folds));
  return foldOf;
}

function mapRows(set: LabelledFeatures, map: (row: Float32Array) => void): LabelledFeatures {
  const features = Float32Array.from(set.features);
  for (let r = 0; r < set.count; r++) map(features.subarray(r * set.dimension, (r + 1) * set.dimension));
  return { ...set, features };
}

/** Each feature vector scaled to unit length. */
function l2Rows(train: LabelledFeatures, test: LabelledFeatures): [LabelledFeatures, LabelledFeatures] {
  const unit = (row: Float32Array) => {
    const norm = Math.hypot(...row) || 1;
    for (let i = 0; i < row.length; i++) row[i]! /= norm;
  };
  return [mapRows(train, unit), mapRows(test, unit)];
}

/** Each dimension shifted and scaled by the training fold's mean and standard deviation. */
function standardize(train: LabelledFeatures, test: LabelledFeatures): [LabelledFeatures, LabelledFeatures] {
  const d = train.dimension;
  const mean = new Float64Array(d);
  const variance = new Float64Array(d);
  for (let r = 0; r < train.count; r++) for (let i = 0; i < d; i++) mean[i]! += train.features[r * d + i]! / train.count;
  for (let r = 0; r < train.count; r++) for (let i = 0; i < d; i++) variance[i]! += (train.features[r * d + i]! - mean[i]!) ** 2 / train.count;
  const scale = (row: Float32Array) => {
    for (let i = 0; i < d; i++) row[i] = (row[i]! - mean[i]!) / (Math.sqrt(variance[i]!) || 1);
  };
  return [mapRows(train, scale), mapRows(test, scale)];
}

/** Rows of two feature sets over the same images, side by side. */
function concatenateFeatures(a: LabelledFeatures, b: LabelledFeatures): LabelledFeatures {
  const d = a.dimension + b.dimension;
  const features = new Float32Array(a.count * d);
  for (let r = 0; r < a.count; r++) {
    features.set(a.features.subarray(r * a.dimension, (r + 1) * a.dimension), r * d);
    features.set(b.features.subarray(r * b.dimension, (r + 1) * b.dimension), r * d + a.dimension);
  }
  return { ...a, features, dimension: d };
}
if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
// --write: the numbers `graft backbones` shows (packages/extract/measured/backbone-accuracy.json).
if (values.write) {
  const file = join(root, 'packages', 'extract', 'measured', 'backbone-accuracy.json');
  mkdirSync(dirname(file), { recursive: true });
  const measured = { command: 'npm run build && node bench/dist/backbone-accuracy.js --write', method: `${folds}-fold stratified cross-validation of the default head on the cached features`, results: results.filter((row) => row.features === 'raw').map(({ extractSeconds: _seconds, ...row }) => row) };
  writeFileSync(file, `${JSON.stringify(measured, null, 2)}\n`);
}
