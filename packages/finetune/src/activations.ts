import { join } from 'node:path';
import { cacheDir, cpuCount, hashJson, Progress } from '@graft/core';
import { augmentedRows, computeAugmentedFeatures, computeFeatures, FeatureCache, missingContents, sampleBatch, openEngine, type AugmentationSettings, type FeatureEngine, type LoadedBackbone } from '@graft/extract';
import type { ManifestRow } from '@graft/split';
import { tf } from '@graft/tf';

/** Activations at the cut point of a set of images (row-major, one `shape`-sized block per image). */
export interface CutActivations {
  readonly values: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
  /** Per-image activation shape, e.g. [7, 7, 160]. */
  readonly shape: number[];
  /** How many of them each engine computed (from the cache, so the same whichever run computed them). */
  readonly engines: Record<string, number>;
}

/** Where the cut activations come from and go: the lower part as a backbone of its own, and its cache. */
export interface CutActivationSource {
  readonly lower: LoadedBackbone;
  readonly cache: FeatureCache;
  readonly shape: number[];
}

/** Feature-cache chunks of about this many bytes (cut activations are large: 7×7×160 to 17×17×768 floats). */
const CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * The frozen lower part (image → activation at the cut, flattened NHWC) presented as a backbone,
 * so extract's machinery computes and caches its outputs like bottlenecks: content-addressed chunk
 * files under `<out>/cache/features/<key>`, onnxruntime when its export of the lower part checks
 * out against tfjs (else tfjs-wasm), resumable after an interruption.
 */
export async function openCutActivations(backbone: LoadedBackbone, featureModel: tf.LayersModel, lowerModel: tf.LayersModel, cut: string, out: string): Promise<CutActivationSource> {
  const shape = (lowerModel.outputs[0] as tf.SymbolicTensor).shape.slice(1) as number[];
  const perImage = shape.reduce((a, b) => a * b, 1);
  const cacheKey = hashJson({ backbone: backbone.cacheKey, cut, layout: 'nhwc-flat' }).slice(0, 16);
  let flat: tf.LayersModel | undefined;
  const lower: LoadedBackbone = {
    id: `${backbone.id}@${cut}`, layer: cut, weightsSha256: backbone.weightsSha256, preprocessing: backbone.preprocessing, featureDim: perImage, licence: backbone.licence,
    description: `${backbone.description}, cut at ${cut}`, cacheKey, format: 'tfjs',
    onnxModel: () => Promise.reject(new Error('the cut model is exported to ONNX by the onnxruntime engine')),
    async featureModel() {
      flat ??= tf.model({ inputs: featureModel.inputs, outputs: tf.layers.flatten({ name: 'graft_cut_flatten' }).apply(lowerModel.outputs[0]!) as tf.SymbolicTensor, name: `cut_${cut}` });
      return flat;
    },
    async tfjsFeatures() {
      return this.featureModel();
    },
  };
  const cache = await FeatureCache.open(join(cacheDir(out), 'features', cacheKey), perImage);
  return { lower, cache, shape };
}

export interface ComputeCutOptions {
  readonly dataDir: string;
  readonly augmentation: AugmentationSettings;
  readonly threads: number;
  readonly out: string;
  readonly quiet: boolean;
  readonly log: (message: string) => void;
}

/**
 * Compute (once) the cut activations of `rows` and of the distorted copies of their train-split
 * images that the cache does not hold yet. Returns the keys that could not be computed, with why,
 * and how many activations were computed (0 when everything was cached).
 */
export async function computeCutActivations(source: CutActivationSource, rows: readonly ManifestRow[], options: ComputeCutOptions): Promise<{ failed: Map<string, string>; computed: number }> {
  const { lower, cache } = source;
  const flushEvery = Math.max(8, Math.floor(CHUNK_BYTES / (lower.featureDim * 4)));
  const batchSize = 8;
  const engine = lazyEngine(lower, rows, options);
  const failed = new Map<string, string>();
  try {
    const todo = missingContents(rows, cache);
    options.log(`finetune: cut activations of ${rows.length} images: ${rows.length - todo.length} cached, ${todo.length} to compute`);
    if (todo.length > 0) {
      const progress = new Progress('finetune: cut activations', todo.length, { quiet: options.quiet });
      const skipped = await computeFeatures(todo, { dataDir: options.dataDir, preprocessing: lower.preprocessing, engine: await engine.open(), featureDim: lower.featureDim, batchSize, decodeConcurrency: cpuCount(), cache, progress, flushEvery });
      progress.finish(`${progress.rate.toFixed(1)} images/s`);
      for (const image of skipped) failed.set(image.sha256, image.reason);
    }
    const copies = augmentedRows(rows, options.augmentation);
    const augmented = await computeAugmentedFeatures(copies, { dataDir: options.dataDir, preprocessing: lower.preprocessing, featureDim: lower.featureDim, batchSize, cache, openEngine: engine.open, quiet: options.quiet, flushEvery });
    for (const [key, reason] of augmented.failed) failed.set(key, reason);
    for (const row of rows) if (cache.failureOf(row.sha256) !== undefined) failed.set(row.sha256, cache.failureOf(row.sha256)!);
    return { failed, computed: todo.length + augmented.computed - failed.size };
  } finally {
    await engine.dispose();
  }
}

/** The engine of the lower part, opened on first need (not at all when everything is cached). */
function lazyEngine(lower: LoadedBackbone, rows: readonly ManifestRow[], options: ComputeCutOptions) {
  let opened: Promise<FeatureEngine> | undefined;
  return {
    open: () => {
      opened ??= openEngine(lower, {
        choice: 'auto', threads: options.threads, onnxCacheDir: join(cacheDir(options.out), 'onnx'), log: options.log,
        sampleBatch: () => sampleBatch(rows, options.dataDir, lower),
      }).then(({ engine, fallbacks }) => {
        for (const fallback of fallbacks) options.log(`finetune: engine ${fallback} — falling back`);
        options.log(`finetune: lower part (image → ${lower.layer}) runs on ${engine.name}`);
        return engine;
      });
      return opened;
    },
    dispose: async () => (opened ? (await opened).dispose() : undefined),
  };
}

/** The cached activations of `keys` (content sha256, or sha256 + distortion for copies), with their labels, in one array. */
export async function gatherActivations(source: CutActivationSource, entries: readonly { key: string; classIndex: number }[]): Promise<CutActivations> {
  const perImage = source.lower.featureDim;
  const usable = entries.filter((entry) => source.cache.has(entry.key));
  const values = new Float32Array(usable.length * perImage);
  const labels = new Int32Array(usable.length);
  const engines: Record<string, number> = {};
  for (const [i, entry] of usable.entries()) {
    const engine = await source.cache.copyInto(entry.key, values, i * perImage);
    engines[engine] = (engines[engine] ?? 0) + 1;
    labels[i] = entry.classIndex;
  }
  return { values, labels, count: usable.length, shape: source.shape, engines };
}
