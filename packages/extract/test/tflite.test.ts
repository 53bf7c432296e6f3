import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ByteBuffer } from 'flatbuffers';
import { sha256 } from '@graft/core';
import { readTflite, constantValues } from '../src/tflite/read-tflite.js';
import { tfliteToOnnx } from '../src/tflite/tflite-to-onnx.js';
import { tfliteInputScaling } from '../src/tflite/tflite-backbone.js';
import { builtinName, ACTIVATION, BUILTIN, FIELDS, PADDING } from '../src/tflite/schema.js';
import { createOnnxRuntimeEngine } from '../src/engines/onnxruntime-engine.js';
import { decodeInto, type Preprocessing } from '../src/preprocessing.js';
import { BACKBONES } from '../src/backbones/registry.js';
import { HAVE_SHARED_MODELS, PHOTOS_DIR, SHARED_MODELS_NOTE, TFLITE_DIR } from '../../../test/helpers/shared-models.js';

const V2 = 'mobilenet_v2_1.0_224_quant.tflite';
const V1 = 'mobilenet_v1_1.0_224_quant_embedding_extractor.tflite';
const FLOAT = 'mobilenet_v1_0.25_224_float.tflite';
const bytesOf = (file: string) => new Uint8Array(readFileSync(join(TFLITE_DIR, file)));

/** What TensorFlow Lite's own runtime answers for MobileNetV2 uint8 on the shared photos (its README). */
const TFLITE_TOP1: Record<string, string> = {
  'bird.png': 'chickadee', 'cat.png': 'Egyptian cat', 'cat_720p.jpg': 'Egyptian cat', 'dragonfly.png': 'dragonfly', 'grace_hopper.png': 'military uniform',
  'hot_dog.jpg': 'hotdog', 'owl.jpg': 'ruffed grouse', 'parrot.jpg': 'macaw', 'sunflower.png': 'daisy',
};

async function decodePhotos(preprocessing: Preprocessing, photos: string[]): Promise<Float32Array> {
  const size = preprocessing.size * preprocessing.size * 3;
  const batch = new Float32Array(photos.length * size);
  for (const [i, photo] of photos.entries()) await decodeInto(new Uint8Array(readFileSync(join(PHOTOS_DIR, photo))), preprocessing, { maxPixels: 1e9 }, batch, i * size);
  return batch;
}

const preprocessingOf = (scaling: { scale: number; offset: number }): Preprocessing => ({ size: 224, fit: 'fill', kernel: 'lanczos3', background: [255, 255, 255], scale: scaling.scale, offset: scaling.offset });

describe.skipIf(!HAVE_SHARED_MODELS)(`TFLite import${SHARED_MODELS_NOTE}`, () => {
  it('reads the operators, inputs and quantization of the three shared files', () => {
    const operators = (file: string) => [...new Set(readTflite(bytesOf(file), file).operators.map((o) => builtinName(o.builtin)))].sort();
    expect(operators(V2)).toEqual(['ADD', 'AVERAGE_POOL_2D', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'RESHAPE', 'SOFTMAX']);
    expect(operators(V1)).toEqual(['AVERAGE_POOL_2D', 'CONV_2D', 'DEPTHWISE_CONV_2D']);
    expect(operators(FLOAT)).toEqual(['AVERAGE_POOL_2D', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'SOFTMAX', 'SQUEEZE']);
    const v2 = readTflite(bytesOf(V2), V2);
    const input = v2.tensors[v2.inputs[0]!]!;
    expect(input).toMatchObject({ name: 'input', shape: [1, 224, 224, 3], quantization: { zeroPoint: [128] } });
    expect(input.quantization!.scale[0]).toBeCloseTo(1 / 128, 9);
    expect(v2.tensors.find((t) => t.name === 'MobilenetV2/Logits/AvgPool')!.shape).toEqual([1, 1, 1, 1280]);
  });

  it('the registry pins the shared files: same sha256, and the pixel scaling their input quantization states', () => {
    for (const id of ['mobilenet_v2_imagenet', 'mobilenet_v1_imagenet'] as const) {
      const entry = BACKBONES[id];
      const bytes = bytesOf(entry.file);
      expect(sha256(bytes)).toBe(entry.sha256);
      expect(bytes.length).toBe(entry.bytes);
      const scaling = tfliteInputScaling(readTflite(bytes, entry.file), 'auto', entry.file);
      expect(scaling.scale).toBeCloseTo(entry.input.scale, 12);
      expect(scaling.offset).toBeCloseTo(entry.input.offset, 12);
    }
  });

  it('MobileNetV2 imported to ONNX gives TensorFlow Lite\'s top-1 ImageNet class on all nine photos', async () => {
    const model = readTflite(bytesOf(V2), V2);
    const converted = tfliteToOnnx(model, 'MobilenetV2/Predictions/Softmax', V2);
    expect(converted).toMatchObject({ inputSize: 224, featureDim: 1001, operators: 66 });
    const engine = await createOnnxRuntimeEngine(converted.onnx, { threads: 2, inputSize: 224, featureDim: 1001 });
    const labels = readFileSync(join(TFLITE_DIR, 'imagenet_labels.txt'), 'utf8').split('\n');
    const photos = Object.keys(TFLITE_TOP1);
    const probabilities = await engine.infer(await decodePhotos(preprocessingOf(tfliteInputScaling(model, 'auto', V2)), photos), photos.length);
    await engine.dispose();
    photos.forEach((photo, i) => {
      const row = probabilities.subarray(i * 1001, (i + 1) * 1001);
      const top = row.indexOf(Math.max(...row));
      expect(labels[top], photo).toMatch(new RegExp(`^${TFLITE_TOP1[photo]}`));
      expect(Math.max(...row), photo).toBeGreaterThan(0.7);
    });
  });

  it('features through ONNX equal a plain NHWC float reference of the same dequantized graph (MobileNetV1 0.25)', async () => {
    const model = readTflite(bytesOf(FLOAT), FLOAT);
    const feature = 'MobilenetV1/Logits/AvgPool_1a/AvgPool';
    const converted = tfliteToOnnx(model, feature, FLOAT);
    expect(converted.featureDim).toBe(256);
    const preprocessing = preprocessingOf({ scale: 1 / 127.5, offset: -1 });
    const input = await decodePhotos(preprocessing, ['parrot.jpg']);
    const engine = await createOnnxRuntimeEngine(converted.onnx, { threads: 1, inputSize: 224, featureDim: 256 });
    const actual = await engine.infer(input, 1);
    await engine.dispose();
    const expected = referenceForward(model, input, feature);
    let scale = 0;
    expected.forEach((v) => (scale = Math.max(scale, Math.abs(v))));
    expect(scale).toBeGreaterThan(0.1);
    expected.forEach((v, i) => expect(Math.abs(actual[i]! - v)).toBeLessThan(1e-4 * scale));
  });

  it('an operator Graft cannot convert is one error naming it and the file', () => {
    const bytes = Uint8Array.from(bytesOf(FLOAT));
    // Make the first operator code (CONV_2D) say SQUARED_DIFFERENCE (99).
    const bb = new ByteBuffer(bytes);
    const root = bb.readInt32(0);
    const codes = bb.__vector(root + bb.__offset(root, FIELDS.model.operatorCodes));
    const code = bb.__indirect(codes);
    for (const field of [FIELDS.operatorCode.builtinCode, FIELDS.operatorCode.deprecatedBuiltinCode]) {
      const offset = bb.__offset(code, field);
      if (offset && field === FIELDS.operatorCode.builtinCode) new DataView(bytes.buffer).setInt32(code + offset, 99, true);
      if (offset && field === FIELDS.operatorCode.deprecatedBuiltinCode) bytes[code + offset] = 99;
    }
    const model = readTflite(bytes, 'patched.tflite');
    expect(() => tfliteToOnnx(model, 'MobilenetV1/Logits/AvgPool_1a/AvgPool', 'patched.tflite')).toThrow(/^patched\.tflite: operator \d+ is SQUARED_DIFFERENCE, which Graft cannot convert yet \(it converts .*CONV_2D/);
  });

  it('a truncated file, a file that is no TFLite model and a tensor name that does not exist are clear errors', () => {
    const bytes = bytesOf(FLOAT);
    expect(() => tfliteToOnnx(readTflite(bytes.subarray(0, 200_000), 'cut.tflite'), 'MobilenetV1/Logits/AvgPool_1a/AvgPool', 'cut.tflite')).toThrow(/cut\.tflite is damaged or truncated/);
    expect(() => readTflite(new TextEncoder().encode('<html>not a model</html>'), 'page.tflite')).toThrow(/page\.tflite is not a TensorFlow Lite model/);
    expect(() => tfliteToOnnx(readTflite(bytes, FLOAT), 'MobilenetV1/Logits/AvgPool', FLOAT)).toThrow(/has no tensor named 'MobilenetV1\/Logits\/AvgPool' — did you mean 'MobilenetV1\/Logits\/AvgPool_1a\/AvgPool'\?/);
  });
});

/**
 * A plain NHWC float interpreter of CONV_2D, DEPTHWISE_CONV_2D and AVERAGE_POOL_2D (TensorFlow's
 * SAME/VALID padding, fused ReLU6), written independently of the ONNX conversion: no layout change,
 * direct loops. Returns the feature tensor, globally averaged when 4-D.
 */
function referenceForward(model: ReturnType<typeof readTflite>, input: Float32Array, feature: string): Float32Array {
  const values = new Map<number, { data: Float32Array; shape: number[] }>([[model.inputs[0]!, { data: input, shape: [1, 224, 224, 3] }]]);
  const target = model.tensors.find((t) => t.name === feature)!.index;
  const pad = (padding: number, size: number, k: number, stride: number) => (padding === PADDING.VALID ? 0 : Math.floor(Math.max((Math.ceil(size / stride) - 1) * stride + k - size, 0) / 2));
  const outSize = (padding: number, size: number, k: number, stride: number) => (padding === PADDING.VALID ? Math.ceil((size - k + 1) / stride) : Math.ceil(size / stride));
  const relu6 = (x: number, activation: number) => (activation === ACTIVATION.RELU6 ? Math.min(6, Math.max(0, x)) : activation === ACTIVATION.RELU ? Math.max(0, x) : x);
  for (const op of model.operators) {
    if (values.has(target)) break;
    const x = values.get(op.inputs[0]!);
    if (!x) continue;
    const [, H, W, C] = x.shape as [number, number, number, number];
    if (op.builtin === BUILTIN.CONV_2D || op.builtin === BUILTIN.DEPTHWISE_CONV_2D) {
      const depthwise = op.builtin === BUILTIN.DEPTHWISE_CONV_2D;
      const F = depthwise ? FIELDS.depthwiseConv2d : FIELDS.conv2d;
      const w = model.tensors[op.inputs[1]!]!;
      const wv = constantValues(w);
      const bias = constantValues(model.tensors[op.inputs[2]!]!);
      const [, KH, KW] = w.shape as [number, number, number, number];
      const O = depthwise ? w.shape[3]! : w.shape[0]!;
      const [sh, sw, padding] = [op.options!.int(F.strideH), op.options!.int(F.strideW), op.options!.byte(F.padding)];
      const [OH, OW, top, left] = [outSize(padding, H, KH, sh), outSize(padding, W, KW, sw), pad(padding, H, KH, sh), pad(padding, W, KW, sw)];
      const out = new Float32Array(OH * OW * O);
      for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let o = 0; o < O; o++) {
        let sum = bias[o]!;
        for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
          const [iy, ix] = [oy * sh - top + ky, ox * sw - left + kx];
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
          if (depthwise) sum += x.data[(iy * W + ix) * C + o]! * wv[(ky * KW + kx) * O + o]!;
          else for (let c = 0; c < C; c++) sum += x.data[(iy * W + ix) * C + c]! * wv[((o * KH + ky) * KW + kx) * C + c]!;
        }
        out[(oy * OW + ox) * O + o] = relu6(sum, op.options!.byte(F.activation));
      }
      values.set(op.outputs[0]!, { data: out, shape: [1, OH, OW, O] });
    } else if (op.builtin === BUILTIN.AVERAGE_POOL_2D) {
      const F = FIELDS.pool2d;
      const [KH, KW, sh, sw, padding] = [op.options!.int(F.filterHeight), op.options!.int(F.filterWidth), op.options!.int(F.strideH), op.options!.int(F.strideW), op.options!.byte(F.padding)];
      const [OH, OW, top, left] = [outSize(padding, H, KH, sh), outSize(padding, W, KW, sw), pad(padding, H, KH, sh), pad(padding, W, KW, sw)];
      const out = new Float32Array(OH * OW * C);
      for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let c = 0; c < C; c++) {
        let [sum, count] = [0, 0];
        for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
          const [iy, ix] = [oy * sh - top + ky, ox * sw - left + kx];
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
          sum += x.data[(iy * W + ix) * C + c]!;
          count++;
        }
        out[(oy * OW + ox) * C + c] = sum / count;
      }
      values.set(op.outputs[0]!, { data: out, shape: [1, OH, OW, C] });
    }
  }
  const { data, shape } = values.get(target)!;
  const channels = shape[3]!;
  const pooled = new Float32Array(channels);
  const pixels = data.length / channels;
  for (let i = 0; i < data.length; i++) pooled[i % channels]! += data[i]! / pixels;
  return pooled;
}
