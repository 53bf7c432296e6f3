import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackboneError, choiceMessage, cpuCount, mapConcurrent, ParamError } from '@graft/core';
import { createOnnxRuntimeEngine, decodeInto, graphModelFeatures, openEngine, type FeatureEngine, type Preprocessing } from '@graft/extract';
import { loadLayersModel, readModelArtifacts, tf, useTfjsBackend } from '@graft/tf';
import { loadTrainedBackbone } from '../classifier-model.js';
import { readExportMetadata, type ExportMetadata } from '../export-metadata.js';
import { collectFiles } from './collect-files.js';
import { PREDICT_ENGINES } from './predict-engines.js';

export { PREDICT_ENGINES };

/** Images with more pixels are refused before decoding (split's default). */
const MAX_PIXELS = 250_000_000;

export interface PredictOptions {
  /** Folder of an exported model (model.json, weights.bin, metadata.json). */
  readonly modelDir: string;
  readonly engine: string;
  /** Where extract caches ONNX exports of backbones (`<out>/cache/onnx`). */
  readonly onnxCacheDir: string;
  readonly topK: number;
  readonly batchSize: number;
  readonly threads: number;
  readonly log: (message: string) => void;
}

export interface Prediction {
  readonly label: string;
  readonly probability: number;
}

/** One input: its top-k predictions, or why it could not be classified. */
export type ImageResult = { readonly path: string; readonly predictions: Prediction[] } | { readonly path: string; readonly error: string };

export interface PredictResult {
  /** `onnxruntime` (backbone) + `tfjs-<backend>` (head), or `tfjs-<backend>` for the whole model. */
  readonly engine: string;
  readonly labels: string[];
  readonly results: ImageResult[];
}

/** Turns a batch of decoded images into class probabilities. */
interface Classifier {
  readonly name: string;
  /** Pixel scaling the decoded input must have (the tfjs model scales inside). */
  readonly preprocessing: Preprocessing;
  probabilities(batch: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/**
 * Classify image files and folders with an exported model. Images are decoded exactly as extract
 * decodes them (`decodeInto`), in batches; unreadable files are reported in the results, not thrown.
 */
export async function classifyImages(paths: readonly string[], options: PredictOptions): Promise<PredictResult> {
  if (!(PREDICT_ENGINES as readonly string[]).includes(options.engine)) throw new ParamError(`predict --engine: ${choiceMessage('engine', options.engine, PREDICT_ENGINES)}`);
  const metadata = await readExportMetadata(options.modelDir);
  const inputs = await collectFiles(paths);
  const readable = inputs.filter((input): input is { path: string } => !('error' in input));
  const errors = new Map<string, string>(inputs.flatMap((input) => ('error' in input ? [[input.path, input.error] as const] : [])));
  const predictions = new Map<string, Prediction[]>();
  let engine = 'none';
  if (readable.length > 0) {
    const classifier = await openClassifier(metadata, options, readable.map((input) => input.path));
    engine = classifier.name;
    try {
      const { size } = metadata.preprocessing;
      const imageSize = size * size * 3;
      const buffer = new Float32Array(options.batchSize * imageSize);
      for (let start = 0; start < readable.length; start += options.batchSize) {
        const batch = readable.slice(start, start + options.batchSize);
        const reasons = await mapConcurrent(batch, cpuCount(), (input, i) => decodeFile(input.path, classifier.preprocessing, buffer, i * imageSize));
        const decoded = batch.filter((input, i) => {
          if (reasons[i]) errors.set(input.path, reasons[i]!);
          return !reasons[i];
        });
        let n = 0;
        batch.forEach((_, i) => {
          if (reasons[i]) return;
          if (n !== i) buffer.copyWithin(n * imageSize, i * imageSize, (i + 1) * imageSize);
          n++;
        });
        if (n === 0) continue;
        const probabilities = await classifier.probabilities(buffer.subarray(0, n * imageSize), n);
        decoded.forEach((input, i) => predictions.set(input.path, topK(probabilities.subarray(i * metadata.labels.length, (i + 1) * metadata.labels.length), metadata.labels, options.topK)));
      }
    } finally {
      await classifier.dispose();
    }
    options.log(`predict: ${predictions.size} images classified, ${errors.size} could not be read, engine ${classifier.name}`);
  }
  return {
    engine,
    labels: metadata.labels,
    results: inputs.map((input) => (predictions.has(input.path) ? { path: input.path, predictions: predictions.get(input.path)! } : { path: input.path, error: errors.get(input.path)! })),
  };
}

async function decodeFile(path: string, preprocessing: Preprocessing, target: Float32Array, offset: number): Promise<string | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  try {
    await decodeInto(bytes, preprocessing, { maxPixels: MAX_PIXELS }, target, offset);
    return undefined;
  } catch (error) {
    return `cannot decode: ${String((error as Error).message).split('\n')[0]}`;
  }
}

/** The k most probable classes, most probable first (ties: lower class index first). */
export function topK(probabilities: Float32Array, labels: readonly string[], k: number): Prediction[] {
  return Array.from(probabilities, (probability, index) => ({ index, probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, Math.min(k, labels.length))
    .map(({ index, probability }) => ({ label: labels[index]!, probability }));
}

/**
 * With `auto` or `onnxruntime`: the backbone runs in onnxruntime (its ONNX export cached by extract,
 * or exported now) and the head in tfjs; with `tfjs` (or when onnxruntime cannot run, under `auto`,
 * or for a fine-tuned model, whose backbone is not the bundled one) the whole model runs in tfjs.
 */
async function openClassifier(metadata: ExportMetadata, options: PredictOptions, files: readonly string[]): Promise<Classifier> {
  if (metadata.format === 'onnx') return openOnnxClassifier(metadata, options);
  if (metadata.format === 'tfjs-graph') return openGraphClassifier(metadata, options);
  const backend = await useTfjsBackend();
  const model = await loadLayersModel(join(options.modelDir, 'model.json'));
  const pixels = { ...metadata.preprocessing, scale: 1, offset: 0 };
  const classes = metadata.labels.length;
  const wholeModel: Classifier = {
    name: `tfjs-${backend}`,
    preprocessing: pixels,
    async probabilities(batch, n) {
      const { size } = pixels;
      return tf.tidy(() => (model.predict(tf.tensor4d(batch, [n, size, size, 3])) as tf.Tensor).dataSync() as Float32Array);
    },
    async dispose() {
      model.dispose();
    },
  };
  if (options.engine === 'tfjs') return wholeModel;
  if (metadata.finetune) {
    // onnxruntime would run the bundled (frozen) backbone, not the fine-tuned one.
    if (options.engine === 'onnxruntime') throw new BackboneError(`predict --engine onnxruntime: ${options.modelDir} is fine-tuned (its top ${metadata.finetune.blocks} backbone block(s) were trained); run it with --engine tfjs (or auto)`);
    return wholeModel;
  }
  let features: FeatureEngine;
  try {
    const backbone = await loadTrainedBackbone(metadata.backbone, metadata.preprocessing);
    const opened = await openEngine(backbone, {
      choice: 'onnxruntime',
      threads: options.threads,
      onnxCacheDir: options.onnxCacheDir,
      sampleBatch: () => sampleBatch(files, metadata.preprocessing),
      log: options.log,
    });
    features = opened.engine;
  } catch (error) {
    if (options.engine === 'onnxruntime') throw error instanceof BackboneError ? error : new BackboneError(`predict --engine onnxruntime: ${(error as Error).message}`, { cause: error });
    options.log(`predict: onnxruntime cannot run the backbone (${(error as Error).message.split('\n')[0]}) — using the exported tfjs model`);
    return wholeModel;
  }
  const head = model.getLayer(metadata.layers.head) as unknown as tf.LayersModel;
  return {
    name: `onnxruntime+tfjs-${backend}`,
    preprocessing: metadata.preprocessing,
    async probabilities(batch, n) {
      const vectors = await features.infer(batch, n);
      const probabilities = tf.tidy(() => (head.predict(tf.tensor2d(vectors, [n, metadata.head.featureDim])) as tf.Tensor).dataSync() as Float32Array);
      if (probabilities.length !== n * classes) throw new BackboneError(`the head returned ${probabilities.length} values for ${n} images × ${classes} classes`);
      return probabilities;
    },
    async dispose() {
      await features.dispose();
      model.dispose();
    },
  };
}

/** An ONNX export (backbone imported from TFLite): the whole model, pixels to probabilities, in onnxruntime. */
async function openOnnxClassifier(metadata: ExportMetadata, options: PredictOptions): Promise<Classifier> {
  if (options.engine === 'tfjs') throw new BackboneError(`predict --engine tfjs: ${options.modelDir} is an ONNX model (its backbone was imported from TFLite); run it with --engine auto or onnxruntime`);
  const pixels = { ...metadata.preprocessing, scale: 1, offset: 0 };
  const engine = await createOnnxRuntimeEngine(await readFile(join(options.modelDir, 'model.onnx')), { threads: options.threads, inputSize: pixels.size, featureDim: metadata.labels.length });
  return { name: 'onnxruntime', preprocessing: pixels, probabilities: (batch, n) => engine.infer(batch, n), dispose: () => engine.dispose() };
}

/** A tfjs graph-model export: the backbone cut at its feature node, then the head, both in tfjs. */
async function openGraphClassifier(metadata: ExportMetadata, options: PredictOptions): Promise<Classifier> {
  if (options.engine === 'onnxruntime') throw new BackboneError(`predict --engine onnxruntime: ${options.modelDir} has a tfjs graph-model backbone; run it with --engine auto or tfjs`);
  const backend = await useTfjsBackend();
  const { features } = await graphModelFeatures(await readModelArtifacts(join(options.modelDir, 'backbone', 'model.json')), metadata.layers.features, metadata.backbone.id);
  const head = await loadLayersModel(join(options.modelDir, 'head', 'model.json'));
  const { size } = metadata.preprocessing;
  return {
    name: `tfjs-${backend}`,
    preprocessing: metadata.preprocessing,
    async probabilities(batch, n) {
      return tf.tidy(() => (head.predict(features.predict(tf.tensor4d(batch, [n, size, size, 3])) as tf.Tensor) as tf.Tensor).dataSync() as Float32Array);
    },
    async dispose() {
      head.dispose();
    },
  };
}

/** Up to 4 decodable images among the inputs, to check a fresh ONNX export against tfjs. */
async function sampleBatch(files: readonly string[], preprocessing: Preprocessing): Promise<{ batch: Float32Array; n: number }> {
  const imageSize = preprocessing.size * preprocessing.size * 3;
  const batch = new Float32Array(4 * imageSize);
  let n = 0;
  for (const file of files) {
    if (n === 4) break;
    if ((await decodeFile(file, preprocessing, batch, n * imageSize)) === undefined) n++;
  }
  if (n === 0) throw new BackboneError('none of the inputs decodes, so the ONNX export cannot be checked');
  return { batch, n };
}
