import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, useTfjsBackend } from '@graft/tf';
import { readBundledModel, type NsfwjsModel } from '../src/backbones/bundled-weights.js';
import { buildFeatureModel, featureDimension } from '../src/backbones/feature-model.js';
import { createOnnxRuntimeEngine } from '../src/engines/onnxruntime-engine.js';
import { exportLayersModelToOnnx } from '../src/onnx/export-layers-model.js';
import { OnnxExportError } from '../src/onnx/export-error.js';

const NOTO = fileURLToPath(new URL('../../../data/emoji-demo5/noto/', import.meta.url));
const THREADS = 2;

/** First image (by name) of the first four classes: real photos-like inputs, not noise. */
const IMAGE_FILES = readdirSync(NOTO)
  .sort()
  .slice(0, 4)
  .map((label) => join(NOTO, label, readdirSync(join(NOTO, label)).filter((file) => file.endsWith('.jpg')).sort()[0]!));

/** RGB, stretched to size×size, scaled to [0, 1], NHWC float32. */
async function loadBatch(size: number): Promise<Float32Array> {
  const batch = new Float32Array(IMAGE_FILES.length * size * size * 3);
  for (const [index, file] of IMAGE_FILES.entries()) {
    const pixels = await sharp(file).removeAlpha().toColourspace('srgb').resize(size, size, { fit: 'fill' }).raw().toBuffer();
    expect(pixels.length).toBe(size * size * 3);
    for (let i = 0; i < pixels.length; i++) batch[index * pixels.length + i] = pixels[i]! / 255;
  }
  return batch;
}

function tfjsFeatures(model: tf.LayersModel, batch: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(batch, shape)) as tf.Tensor).dataSync() as Float32Array);
}

function compare(actual: Float32Array, expected: Float32Array): { maxAbs: number; relative: number; maxReference: number } {
  expect(actual.length).toBe(expected.length);
  let maxAbs = 0;
  let maxReference = 0;
  let squaredError = 0;
  let squaredNorm = 0;
  for (let i = 0; i < expected.length; i++) {
    const difference = Math.abs(actual[i]! - expected[i]!);
    maxAbs = Math.max(maxAbs, difference);
    maxReference = Math.max(maxReference, Math.abs(expected[i]!));
    squaredError += difference * difference;
    squaredNorm += expected[i]! * expected[i]!;
  }
  return { maxAbs, relative: Math.sqrt(squaredError / Math.max(squaredNorm, 1e-30)), maxReference };
}

const backbones = new Map<NsfwjsModel, tf.LayersModel>();
async function backbone(name: NsfwjsModel): Promise<tf.LayersModel> {
  let model = backbones.get(name);
  if (!model) {
    model = await tf.loadLayersModel(tf.io.fromMemory(readBundledModel(name)));
    backbones.set(name, model);
  }
  return model;
}

beforeAll(async () => {
  await useTfjsBackend('wasm');
});

afterAll(() => {
  for (const model of backbones.values()) model.dispose();
});

describe('ONNX export of the bundled backbones matches tfjs', () => {
  const cases: { model: NsfwjsModel; layer: string; size: number; dim: number }[] = [
    { model: 'inception_v3', layer: 'flatten_1', size: 299, dim: 2048 },
    { model: 'inception_v3', layer: 'mixed7', size: 299, dim: 768 },
    { model: 'mobilenet_v2', layer: 'flatten_1', size: 224, dim: 1280 },
  ];
  for (const { model: name, layer, size, dim } of cases) {
    it(`${name} ${layer}`, { timeout: 120_000 }, async () => {
      const featureModel = buildFeatureModel(await backbone(name), layer);
      expect(featureDimension(featureModel)).toBe(dim);
      const started = performance.now();
      const onnxBytes = exportLayersModelToOnnx(featureModel);
      const exportMs = performance.now() - started;
      const batch = await loadBatch(size);
      const n = IMAGE_FILES.length;
      const engine = await createOnnxRuntimeEngine(onnxBytes, { threads: THREADS, inputSize: size, featureDim: dim });
      try {
        const ort = await engine.infer(batch, n);
        const reference = tfjsFeatures(featureModel, batch, [n, size, size, 3]);
        const { maxAbs, relative } = compare(ort, reference);
        console.log(`${name} ${layer}: ONNX ${(onnxBytes.length / 1e6).toFixed(1)} MB, exported in ${exportMs.toFixed(0)} ms; ORT vs tfjs max |diff| ${maxAbs.toExponential(2)}, relative L2 ${relative.toExponential(2)}`);
        expect(ort.length).toBe(n * dim);
        expect(maxAbs).toBeLessThan(1e-3);
        expect(relative).toBeLessThan(1e-4);
        // The features differ between images (not a constant the check would pass trivially).
        expect(compare(ort.subarray(0, dim), ort.subarray(dim, 2 * dim)).maxAbs).toBeGreaterThan(1e-2);
      } finally {
        await engine.dispose();
      }
    });
  }

  it('export is deterministic', { timeout: 60_000 }, async () => {
    const base = await backbone('mobilenet_v2');
    const first = exportLayersModelToOnnx(buildFeatureModel(base, 'block_12_add'));
    const second = exportLayersModelToOnnx(buildFeatureModel(base, 'block_12_add'));
    expect(first.length).toBeGreaterThan(1000);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
  });
});

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every supported layer kind on odd spatial sizes, with non-trivial batch-norm statistics. */
function coverageModel(): tf.LayersModel {
  const L = tf.layers;
  const input = tf.input({ shape: [17, 19, 3] });
  const a = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor; // 9×10
  const b = L.batchNormalization({}).apply(a) as tf.SymbolicTensor; // after relu: Mul + Add
  const c = L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, useBias: false }).apply(b) as tf.SymbolicTensor; // 5×5×16
  const d = L.batchNormalization({ scale: true }).apply(c) as tf.SymbolicTensor; // folded
  const e = L.reLU({ maxValue: 6 }).apply(d) as tf.SymbolicTensor;
  const avg = L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(e) as tf.SymbolicTensor;
  const sum = L.add().apply([e, avg]) as tf.SymbolicTensor;
  const g = L.conv2d({ filters: 16, kernelSize: [1, 3], padding: 'same', dilationRate: 2 }).apply(sum) as tf.SymbolicTensor;
  const bnG = L.batchNormalization({ center: false }).apply(g) as tf.SymbolicTensor; // g has two readers: not folded
  const mixed = L.concatenate().apply([L.multiply().apply([g, bnG]) as tf.SymbolicTensor, L.maximum().apply([e, avg]) as tf.SymbolicTensor]) as tf.SymbolicTensor; // 5×5×32
  const padded = L.zeroPadding2d({ padding: [[1, 0], [0, 2]] }).apply(mixed) as tf.SymbolicTensor; // 6×7
  const h = L.conv2d({ filters: 12, kernelSize: 3, strides: 2, activation: 'elu' }).apply(padded) as tf.SymbolicTensor; // 2×3
  const pooled = L.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }).apply(padded) as tf.SymbolicTensor; // 3×4
  const leaky = L.leakyReLU({ alpha: 0.2 }).apply(pooled) as tf.SymbolicTensor;
  const flat = L.flatten().apply(h) as tf.SymbolicTensor; // NHWC order matters
  const dense = L.dense({ units: 10, activation: 'tanh' }).apply(flat) as tf.SymbolicTensor;
  const bnDense = L.batchNormalization({}).apply(dense) as tf.SymbolicTensor;
  const head = L.dense({ units: 6, activation: 'softmax' }).apply(L.dropout({ rate: 0.5 }).apply(bnDense) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const gmp = L.globalMaxPooling2d({}).apply(leaky) as tf.SymbolicTensor;
  const gap = L.globalAveragePooling2d({}).apply(L.activation({ activation: 'swish' }).apply(mixed) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const output = L.concatenate().apply([head, gmp, L.average().apply([gap, L.minimum().apply([gap, gmp]) as tf.SymbolicTensor]) as tf.SymbolicTensor]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  const next = random(42);
  for (const layer of model.layers) {
    const weights = layer.weights;
    if (weights.length === 0) continue;
    layer.setWeights(
      weights.map((variable) => {
        const shape = variable.shape as number[];
        const size = shape.reduce((product, dim) => product * dim, 1);
        const values = Float32Array.from({ length: size }, () => {
          const u = next();
          return variable.name.endsWith('moving_variance') ? 0.2 + u : variable.name.endsWith('gamma') ? 0.5 + u : u - 0.5;
        });
        return tf.tensor(values, shape);
      }),
    );
  }
  return model;
}

describe('ONNX export of other layer kinds', () => {
  it('matches tfjs on a model using every supported layer', { timeout: 60_000 }, async () => {
    const model = coverageModel();
    const onnxBytes = exportLayersModelToOnnx(model);
    const dim = featureDimension(model);
    const n = 3;
    const next = random(7);
    const batch = Float32Array.from({ length: n * 17 * 19 * 3 }, () => next());
    // A non-square input (odd 17×19 exercises TF's asymmetric 'same' padding): the engine takes square
    // images only, so run the session directly.
    const reference = tfjsFeatures(model, batch, [n, 17, 19, 3]);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(onnxBytes, { intraOpNumThreads: 1 });
    try {
      const result = await session.run({ input: new ort.Tensor('float32', batch, [n, 17, 19, 3]) });
      const features = result.features!.data as Float32Array;
      const { maxAbs, relative, maxReference } = compare(features, reference);
      console.log(`coverage model (${model.layers.length} layers, ${dim} outputs): max |diff| ${maxAbs.toExponential(2)} (largest value ${maxReference.toFixed(1)}), relative L2 ${relative.toExponential(2)}`);
      // Outputs reach the hundreds here: float32 rounding scales with each value.
      const worst = Math.max(...Array.from(features, (value, i) => Math.abs(value - reference[i]!) / (1 + Math.abs(reference[i]!))));
      console.log(`  worst |diff| / (1 + |value|): ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-5);
      expect(maxAbs).toBeLessThan(1e-5 * Math.max(1, maxReference));
      expect(relative).toBeLessThan(1e-5);
    } finally {
      await session.release();
      model.dispose();
    }
  });

  it('names the layer and class it cannot export', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const separable = tf.layers.separableConv2d({ filters: 4, kernelSize: 3, name: 'my_separable' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(separable) as tf.SymbolicTensor });
    expect(() => exportLayersModelToOnnx(model)).toThrow(OnnxExportError);
    expect(() => exportLayersModelToOnnx(model)).toThrow(/my_separable.*layer class SeparableConv2D is not supported/);
    model.dispose();
  });

  it('rejects an unsupported activation, naming the layer', () => {
    const image = tf.input({ shape: [4, 4, 3] });
    const flat = tf.layers.flatten().apply(image) as tf.SymbolicTensor;
    const model = tf.model({ inputs: image, outputs: tf.layers.dense({ units: 2, activation: 'mish', name: 'mish_dense' }).apply(flat) as tf.SymbolicTensor });
    expect(() => exportLayersModelToOnnx(model)).toThrow(/mish_dense \(Dense\).*activation "mish" is not supported/);
    model.dispose();
  });

  it('engine checks the batch it is given', { timeout: 30_000 }, async () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const model = tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor });
    const engine = await createOnnxRuntimeEngine(exportLayersModelToOnnx(model), { threads: 1, inputSize: 4, featureDim: 3 });
    try {
      const batch = Float32Array.from({ length: 2 * 48 }, (_, i) => i % 7);
      await expect(engine.infer(batch, 3)).rejects.toThrow(/expected 3 × 4×4×3 = 144/);
      const features = await engine.infer(batch, 2);
      expect(Array.from(features)).toEqual(Array.from(tfjsFeatures(model, batch, [2, 4, 4, 3])).map((v) => expect.closeTo(v, 5)));
    } finally {
      await engine.dispose();
      model.dispose();
    }
  });
});
