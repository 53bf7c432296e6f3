import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { Progress, sha256 } from '@graft/core';
import type { ManifestRow } from '@graft/split';
import { tf, useTfjsBackend } from '@graft/tf';
import { decodeInto, makePreprocessing, type Preprocessing } from '../src/preprocessing.js';
import { computeFeatures } from '../src/compute-features.js';
import { FeatureCache } from '../src/feature-cache.js';
import { readBundledModel } from '../src/backbones/bundled-weights.js';
import { buildFeatureModel } from '../src/backbones/feature-model.js';
import { exportLayersModelToOnnx } from '../src/onnx/export-layers-model.js';
import { createOnnxRuntimeEngine } from '../src/engines/onnxruntime-engine.js';
import { createOnnxRuntimeWorkerEngine } from '../src/engines/onnxruntime-worker-engine.js';

/**
 * The extract path (files read, decoded ahead on libvips threads, inferred on the onnxruntime
 * worker) gives exactly the features of the plain path: each image decoded by the sharp chain
 * below, written out here as the preprocessing was defined, and run on the engine in this thread.
 */
async function referencePixels(bytes: Uint8Array, preprocessing: Preprocessing): Promise<Float32Array> {
  const [r, g, b] = preprocessing.background;
  const data = await sharp(bytes, { failOn: 'error', animated: false })
    .rotate()
    .flatten({ background: { r, g, b } })
    .toColourspace('srgb')
    .resize(preprocessing.size, preprocessing.size, { fit: 'fill', kernel: 'lanczos3' })
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer();
  return Float32Array.from(data, (v) => v * preprocessing.scale + preprocessing.offset);
}

const NOTO = fileURLToPath(new URL('../../../data/emoji-demo5/noto/', import.meta.url));
const SIZE = 224;
const folder = mkdtempSync(join(tmpdir(), 'graft-decode-identity-'));

/** A smooth colour field with detail, so that resampling differences would show. */
function field(width: number, height: number, channels: 3 | 4): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const at = (y * width + x) * channels;
    data[at] = (x * 255) / width;
    data[at + 1] = (y * 255) / height;
    data[at + 2] = ((x ^ y) * 7) & 255;
    if (channels === 4) data[at + 3] = x < width / 3 ? 0 : x < (2 * width) / 3 ? 128 : 255;
  }
  return data;
}

/** Image files of the kinds users have: real JPEGs that upscale, and made ones of other kinds. */
async function writeImages(): Promise<string[]> {
  const real = readdirSync(NOTO).sort().slice(0, 3).map((label) => join(label, readdirSync(join(NOTO, label)).sort()[0]!));
  const made: Record<string, () => Promise<Buffer>> = {
    'alpha.png': () => sharp(field(300, 200, 4), { raw: { width: 300, height: 200, channels: 4 } }).png().toBuffer(),
    'large.jpg': () => sharp(field(1600, 1200, 3), { raw: { width: 1600, height: 1200, channels: 3 } }).jpeg({ quality: 90 }).toBuffer(),
    'tiny.jpg': () => sharp(field(37, 23, 3), { raw: { width: 37, height: 23, channels: 3 } }).jpeg({ quality: 95 }).toBuffer(),
    'grey.png': () => sharp(field(500, 260, 3), { raw: { width: 500, height: 260, channels: 3 } }).greyscale().png().toBuffer(),
    'grey.jpg': () => sharp(field(90, 140, 3), { raw: { width: 90, height: 140, channels: 3 } }).greyscale().jpeg().toBuffer(),
    'rotated.jpg': () => sharp(field(120, 80, 3), { raw: { width: 120, height: 80, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
  };
  for (const file of real) writeFileSync(join(folder, file.replace('/', '_')), readFileSync(join(NOTO, file)));
  for (const [name, make] of Object.entries(made)) writeFileSync(join(folder, name), await make());
  return [...real.map((file) => file.replace('/', '_')), ...Object.keys(made)];
}

let files: string[] = [];
let onnx: Uint8Array;

beforeAll(async () => {
  files = await writeImages();
  await useTfjsBackend('wasm');
  const base = await tf.loadLayersModel(tf.io.fromMemory(readBundledModel('mobilenet_v2')));
  onnx = exportLayersModelToOnnx(buildFeatureModel(base, 'flatten_1'));
  base.dispose();
}, 120_000);

describe('decodeInto', () => {
  it.each(['0,1', '-1,1'] as const)('gives the reference pixels bit for bit on every kind of file (range %s)', async (range) => {
    const preprocessing = makePreprocessing(SIZE, range);
    for (const file of files) {
      const bytes = readFileSync(join(folder, file));
      const target = new Float32Array(SIZE * SIZE * 3 + 5).fill(NaN);
      await decodeInto(bytes, preprocessing, { maxPixels: 1e8 }, target, 5);
      const expected = await referencePixels(bytes, preprocessing);
      expect(Buffer.from(target.buffer, 20).equals(Buffer.from(expected.buffer)), file).toBe(true);
    }
  });
});

describe('computeFeatures', () => {
  it('gives MobileNetV2 features identical to decoding each file and inferring in this thread', { timeout: 120_000 }, async () => {
    const preprocessing = makePreprocessing(SIZE, '0,1');
    const featureDim = 1280;
    const batchSize = 4; // several batches, the last one partial: the decode-ahead pipeline is exercised
    const rows: ManifestRow[] = files.map((file) => {
      const bytes = readFileSync(join(folder, file));
      return { path: file, className: 'c', classIndex: 0, split: 'train', sha256: sha256(bytes), bytes: bytes.length, format: file.split('.').pop()!, width: 4000, height: 4000 };
    });
    const cache = await FeatureCache.open(mkdtempSync(join(tmpdir(), 'graft-decode-cache-')), featureDim);
    const options = { threads: 2, inputSize: SIZE, featureDim };
    const skipped = await computeFeatures(rows, {
      dataDir: folder, preprocessing, engine: createOnnxRuntimeWorkerEngine(onnx, options), featureDim, batchSize, decodeConcurrency: 2, cache, progress: new Progress('test', rows.length, { quiet: true }),
    });
    expect(skipped).toEqual([]);

    const engine = await createOnnxRuntimeEngine(onnx, options);
    try {
      for (let start = 0; start < rows.length; start += batchSize) {
        const batch = rows.slice(start, start + batchSize);
        const input = new Float32Array(batch.length * SIZE * SIZE * 3);
        for (const [i, row] of batch.entries()) input.set(await referencePixels(readFileSync(join(folder, row.path)), preprocessing), i * SIZE * SIZE * 3);
        const expected = await engine.infer(input, batch.length);
        for (const [i, row] of batch.entries()) {
          const actual = new Float32Array(featureDim);
          expect(await cache.copyInto(row.sha256, actual, 0)).toBe('onnxruntime');
          expect(Buffer.from(actual.buffer).equals(Buffer.from(expected.buffer, i * featureDim * 4, featureDim * 4)), row.path).toBe(true);
        }
      }
    } finally {
      await engine.dispose();
    }
  });
});
