/**
 * Measures the doctor's near-duplicate thresholds — for pixel descriptors (16×16 grey thumbnails)
 * and per backbone for standardized features: the cosine similarity between an image and its known copies (resized to 75 %, re-encoded as JPEG quality 60,
 * cropped by 4 % on each side) against the similarity of each image to its most similar distinct
 * image of the same class — on the demo's two styles and Fashion-MNIST (200 + 100 per class).
 * The threshold is the lowest similarity that at most 0.5 % of distinct images reach; the copies'
 * recall at it is reported per kind.
 *
 *   npm run build && node bench/dist/doctor-threshold.js [--backbones a,b] [--fashion-mnist /tmp/fmnist-200] [--json] [--write]
 *
 * --write stores the thresholds `doctor --doctor-near-threshold auto` uses (packages/doctor/measured/).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CORE_CODE_DIR, runStage, type StageDefinition, type StageSpec } from '@graft/core';
import { splitDefinition } from '@graft/split';
import { extractDefinition, FeatureCache, readBottlenecks } from '@graft/extract';
import { COPY_KINDS, knownCopy, pixelDescriptors, PIXEL_CACHE_KEY, PIXEL_DIMENSION, unitRows, type CopyKind } from '@graft/doctor';
import { REPO_ROOT } from './project-copy.js';

const { values } = parseArgs({
  options: {
    backbones: { type: 'string', default: 'inception_v3_mixed7,inception_v3,mobilenet_v2,mobilenet_v2_imagenet,mobilenet_v1_imagenet' },
    'fashion-mnist': { type: 'string', default: '/tmp/fmnist-200' },
    json: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
process.env.GRAFT_MODEL_MIRROR ??= resolve(REPO_ROOT, '..', 'shared', 'models', 'imagenet-tflite');
const say = (line: string) => values.json || process.stdout.write(`${line}\n`);
/** Share of distinct images allowed above the threshold. */
const DISTINCT_ALLOWED = 0.005;
/** Every this-many-th image gets its three copies. */
const COPY_EVERY = 4;
const COPY_PREFIX = 'zz-copy-';

const work = join(REPO_ROOT, 'artifacts', 'bench', 'doctor-threshold');
const datasets: [string, string][] = [['noto', join(REPO_ROOT, 'data/emoji-demo5/noto')], ['fluent-flat', join(REPO_ROOT, 'data/emoji-demo5/fluent-flat')]];
if (existsSync(values['fashion-mnist'])) datasets.push(['fashion-mnist', values['fashion-mnist']]);
else say(`(no ${values['fashion-mnist']}: Fashion-MNIST left out — see bench/src/fashion-mnist-folders.ts)`);

/** The dataset with known copies of every COPY_EVERY-th image added next to it (made once). */
async function withCopies(name: string, source: string): Promise<string> {
  const folder = join(work, 'data', name);
  if (existsSync(join(folder, '.complete'))) return folder;
  cpSync(source, folder, { recursive: true });
  for (const className of readdirSync(folder).filter((entry) => !entry.startsWith('.')).sort()) {
    const files = readdirSync(join(folder, className)).filter((file) => !file.startsWith('.')).sort();
    for (const [i, file] of files.entries()) {
      if (i % COPY_EVERY !== 0) continue;
      for (const kind of COPY_KINDS) {
        writeFileSync(join(folder, className, `${COPY_PREFIX}${kind}-${file}.jpg`), await knownCopy(readFileSync(join(folder, className, file)), kind));
      }
    }
  }
  writeFileSync(join(folder, '.complete'), '');
  return folder;
}

const defaults = (definition: StageDefinition<StageSpec>) => Object.fromEntries(Object.entries(definition.spec.params).map(([k, p]) => [k, p.default]));

/** split + extract of a dataset folder (cached: a rerun only checks); returns the artifacts folder. */
async function featuresFolder(name: string, data: string, backbone: string): Promise<string> {
  const out = join(work, 'artifacts', `${name}-${backbone}`);
  const run = (definition: StageDefinition<StageSpec>, params: Record<string, unknown>) =>
    runStage(definition.spec, definition.run, { params: { ...defaults(definition), ...params } as never, out, data, quiet: true, codeDirs: [...definition.codeDirs, CORE_CODE_DIR] });
  await run(splitDefinition as unknown as StageDefinition<StageSpec>, {});
  await run(extractDefinition as unknown as StageDefinition<StageSpec>, { backbone });
  return out;
}

const cosine = (unit: Float32Array, dimension: number, a: number, b: number) => {
  let sum = 0;
  for (let d = 0; d < dimension; d++) sum += unit[a * dimension + d]! * unit[b * dimension + d]!;
  return sum;
};

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

/** Similarities of known copies to their originals, and of each original to its most similar distinct image of the same class. */
interface Measurement {
  readonly copies: { kind: CopyKind; dataset: string; similarity: number }[];
  readonly distinct: { dataset: string; similarity: number }[];
}

/** Copies vs distinct images of one dataset, on unit rows (row i of `rows` is row i of `unit`). */
function measure(dataset: string, rows: readonly { path: string; classIndex: number }[], unit: Float32Array, dimension: number, into: Measurement): void {
  const rowOf = new Map(rows.map((row, i) => [row.path, i]));
  const originals = rows.flatMap((row, i) => (row.path.split('/').at(-1)!.startsWith(COPY_PREFIX) ? [] : [i]));
  for (const [i, row] of rows.entries()) {
    const file = row.path.split('/').at(-1)!;
    if (!file.startsWith(COPY_PREFIX)) continue;
    const kind = COPY_KINDS.find((k) => file.startsWith(`${COPY_PREFIX}${k}-`))!;
    const original = rowOf.get(row.path.replace(`${COPY_PREFIX}${kind}-`, '').replace(/\.jpg$/, ''));
    if (original !== undefined) into.copies.push({ kind, dataset, similarity: cosine(unit, dimension, i, original) });
  }
  for (const i of originals) {
    let best = -Infinity;
    for (const j of originals) if (j !== i && rows[j]!.classIndex === rows[i]!.classIndex) best = Math.max(best, cosine(unit, dimension, i, j));
    into.distinct.push({ dataset, similarity: best });
  }
}

/** The threshold at most DISTINCT_ALLOWED of distinct images reach, and what it finds. */
function summarise(label: string, m: Measurement) {
  const sortedDistinct = m.distinct.map((d) => d.similarity).sort((a, b) => a - b);
  const threshold = Number((quantile(sortedDistinct, 1 - DISTINCT_ALLOWED) + 0.0005).toFixed(4));
  const recall = (list: readonly { similarity: number }[]) => Number((list.filter((c) => c.similarity >= threshold).length / Math.max(1, list.length)).toFixed(4));
  const above = (list: readonly { similarity: number }[]) => Number((list.filter((d) => d.similarity >= threshold).length / Math.max(1, list.length)).toFixed(4));
  const copyRecall: Record<string, number> = { all: recall(m.copies), ...Object.fromEntries(COPY_KINDS.map((kind) => [kind, recall(m.copies.filter((c) => c.kind === kind))])) };
  const perDataset = Object.fromEntries(folders.map(([name]) => [name, <Record<string, number>>{ copies: recall(m.copies.filter((c) => c.dataset === name)), ...Object.fromEntries(COPY_KINDS.map((kind) => [kind, recall(m.copies.filter((c) => c.dataset === name && c.kind === kind))])), distinctAbove: above(m.distinct.filter((d) => d.dataset === name)) }]));
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  say(`${label.padEnd(30)} threshold ${threshold.toFixed(4)}: copies found ${pct(copyRecall.all!)} (${COPY_KINDS.map((k) => `${k} ${pct(copyRecall[k]!)}`).join(', ')}), distinct images above it ${pct(above(m.distinct))}`);
  for (const [name, r] of Object.entries(perDataset)) say(`${''.padEnd(32)}${name}: ${COPY_KINDS.map((k) => `${k} ${pct(r[k]!)}`).join(', ')}; distinct above ${pct(r.distinctAbove!)}`);
  return { threshold, copies: m.copies.length, distinct: m.distinct.length, copyRecall, distinctAbove: above(m.distinct), perDataset };
}

mkdirSync(work, { recursive: true });
const folders = await Promise.all(datasets.map(async ([name, source]) => [name, await withCopies(name, source)] as const));

// Pixels: the same for every backbone.
const byPixels: Measurement = { copies: [], distinct: [] };
for (const [name, folder] of folders) {
  const { rows } = await readBottlenecks(join(await featuresFolder(name, folder, values.backbones.split(',')[0]!), 'extract', 'bottlenecks.parquet'));
  const cache = await FeatureCache.open(join(work, 'pixel-cache', name, PIXEL_CACHE_KEY), PIXEL_DIMENSION);
  const { descriptors, unusable } = await pixelDescriptors(rows, folder, cache);
  if (unusable.length) throw new Error(`${name}: ${unusable.length} files could not be read`);
  measure(name, rows, descriptors, PIXEL_DIMENSION, byPixels);
}
const pixels = summarise('pixels (16×16 grey)', byPixels);

const features: Record<string, ReturnType<typeof summarise>> = {};
for (const backbone of values.backbones.split(',')) {
  const byFeatures: Measurement = { copies: [], distinct: [] };
  for (const [name, folder] of folders) {
    const bottlenecks = await readBottlenecks(join(await featuresFolder(name, folder, backbone), 'extract', 'bottlenecks.parquet'));
    measure(name, bottlenecks.rows, unitRows(bottlenecks.features, bottlenecks.featureDim), bottlenecks.featureDim, byFeatures);
  }
  features[backbone] = summarise(`features ${backbone}`, byFeatures);
}
if (values.json) process.stdout.write(`${JSON.stringify({ pixels, features })}\n`);
if (values.write) {
  const measured = {
    command: 'npm run build && node bench/dist/doctor-threshold.js --write',
    method: `known copies (resized to 75 %, JPEG quality 60, cropped 4 % per side) of every ${COPY_EVERY}th image vs each image's most similar distinct image of its class, on ${folders.map(([n]) => n).join(', ')}; threshold = the lowest similarity at most ${100 * DISTINCT_ALLOWED} % of distinct images reach`,
    pixels,
    features: { fallback: Math.max(...Object.values(features).map((f) => f.threshold)), backbones: features },
  };
  writeFileSync(join(REPO_ROOT, 'packages', 'doctor', 'measured', 'near-duplicate-threshold.json'), `${JSON.stringify(measured, null, 2)}\n`);
}
