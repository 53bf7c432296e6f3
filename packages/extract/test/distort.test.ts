import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { artifactMetadata, writeParquetFile } from '@graft/core';
import type { ManifestRow } from '@graft/split';
import { decodeInto, makePreprocessing } from '../src/preprocessing.js';
import { decodeDistortedInto, distortionCacheKey, distortionFor, type AugmentationSettings, type Distortion } from '../src/augment/distort.js';
import { augmentedRows } from '../src/augment/augment-features.js';
import { augmentedTable, readAugmented } from '../src/augment/augmented-table.js';
import { duckdb } from '../../../test/helpers/duckdb.js';

const settings: AugmentationSettings = { copies: 3, flipLeftRight: true, randomCrop: 10, randomScale: 20, randomBrightness: 10, seed: 42 };
const identity: Distortion = { flip: false, scale: 1, cropX: 0, cropY: 0, brightness: 1 };
const preprocessing = makePreprocessing(16, '0,1');

/** 32×32 PNG: four quadrants, red (top left), green (top right), blue (bottom left), white, with a left-to-right ramp in the red channel of the bottom half. */
async function quadrants(): Promise<Uint8Array> {
  const pixels = Buffer.alloc(32 * 32 * 3);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const colour = y < 16 ? (x < 16 ? [255, 0, 0] : [0, 255, 0]) : x < 16 ? [x * 8, 0, 255] : [255, 255, 255];
      pixels.set(colour, (y * 32 + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer();
}

async function decode(bytes: Uint8Array, distortion?: Distortion): Promise<Float32Array> {
  const target = new Float32Array(16 * 16 * 3);
  if (distortion) await decodeDistortedInto(bytes, preprocessing, distortion, { maxPixels: 1e6 }, target, 0);
  else await decodeInto(bytes, preprocessing, { maxPixels: 1e6 }, target, 0);
  return target;
}

const pixel = (image: Float32Array, x: number, y: number) => Array.from(image.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3)).map((v) => Math.round(v * 255));

describe('distortionFor', () => {
  it('is a function of seed, content and copy index only, within retrain.py\'s ranges', () => {
    const a = distortionFor(settings, 'aa', 0);
    expect(distortionFor({ ...settings, copies: 10 }, 'aa', 0)).toEqual(a);
    expect(distortionFor(settings, 'aa', 1)).not.toEqual(a);
    expect(distortionFor(settings, 'bb', 0)).not.toEqual(a);
    expect(distortionFor({ ...settings, seed: 1 }, 'aa', 0)).not.toEqual(a);
    const many = Array.from({ length: 400 }, (_, i) => distortionFor(settings, `image-${i}`, i % 3));
    for (const d of many) {
      expect(d.scale).toBeGreaterThanOrEqual(1.1 - 1e-6);
      expect(d.scale).toBeLessThanOrEqual(1.1 * 1.2 + 1e-6);
      expect(d.brightness).toBeGreaterThanOrEqual(0.9 - 1e-6);
      expect(d.brightness).toBeLessThanOrEqual(1.1 + 1e-6);
      expect(d.cropX).toBeGreaterThanOrEqual(0);
      expect(d.cropX).toBeLessThan(1);
    }
    expect(many.filter((d) => d.flip).length / many.length).toBeCloseTo(0.5, 1);
  });

  it('changes nothing when every distortion is off, and flips only when allowed', () => {
    const off = { ...settings, flipLeftRight: false, randomCrop: 0, randomScale: 0, randomBrightness: 0 };
    expect(Array.from({ length: 20 }, (_, i) => distortionFor(off, `x${i}`, 0))).toEqual(Array(20).fill(identity));
  });

  it('gives each distinct distortion of an image its own cache key', () => {
    const keys = new Set(Array.from({ length: 50 }, (_, i) => distortionCacheKey('aa', distortionFor(settings, 'aa', i))));
    expect(keys.size).toBe(50);
    expect(distortionCacheKey('aa', identity)).not.toBe(distortionCacheKey('bb', identity));
  });
});

describe('decodeDistortedInto', () => {
  it('equals decodeInto exactly for the identity distortion', async () => {
    const image = await quadrants();
    expect(await decode(image, identity)).toEqual(await decode(image));
  });

  it('mirrors left-right', async () => {
    const image = await quadrants();
    const [plain, flipped] = [await decode(image), await decode(image, { ...identity, flip: true })];
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) expect(pixel(flipped, x, y)).toEqual(pixel(plain, 15 - x, y));
    expect(pixel(flipped, 2, 2)).toEqual([0, 255, 0]);
  });

  it('multiplies pixel values by the brightness factor, unclipped as in retrain.py', async () => {
    const image = await quadrants();
    const [plain, bright] = [await decode(image), await decode(image, { ...identity, brightness: 1.1 })];
    bright.forEach((value, i) => expect(value).toBeCloseTo(plain[i]! * 1.1, 6));
    expect(Math.max(...bright)).toBeCloseTo(1.1, 6);
  });

  it('crops the enlarged image where cropX / cropY say', async () => {
    const image = await quadrants();
    // Enlarged to 32 px: a 16-px crop at the top left is the red quadrant, at the top right the green one.
    expect(pixel(await decode(image, { ...identity, scale: 2 }), 8, 8)).toEqual([255, 0, 0]);
    expect(pixel(await decode(image, { ...identity, scale: 2, cropX: 0.9999 }), 8, 8)).toEqual([0, 255, 0]);
    expect(pixel(await decode(image, { ...identity, scale: 2, cropX: 0.9999, cropY: 0.9999 }), 8, 8)).toEqual([255, 255, 255]);
  });
});

describe('augmented rows and table', () => {
  const row = (path: string, split: ManifestRow['split'], sha256: string): ManifestRow => ({ path, className: 'a', classIndex: 0, split, sha256, bytes: 1, format: 'png', width: 32, height: 32 });

  it('distorts only train-split rows, K copies each, sorted by path then copy', () => {
    const rows = [row('a/1.png', 'train', 's1'), row('a/2.png', 'validation', 's2'), row('a/3.png', 'test', 's3'), row('a/4.png', 'train', 's1')];
    const copies = augmentedRows(rows, settings);
    expect(copies.map((c) => [c.row.path, c.copy])).toEqual([['a/1.png', 0], ['a/1.png', 1], ['a/1.png', 2], ['a/4.png', 0], ['a/4.png', 1], ['a/4.png', 2]]);
    // Same content → same distortions and cache keys, whatever the file name.
    expect(copies[3]!.key).toBe(copies[0]!.key);
    expect(augmentedRows(rows, { ...settings, copies: 0 })).toEqual([]);
  });

  it('round-trips through Parquet, read back by Graft and by DuckDB, also when empty', async () => {
    const copies = augmentedRows([row('a/1.png', 'train', 's1'), row('a/4.png', 'train', 's4')], { ...settings, copies: 2 });
    const features = Float32Array.from({ length: 4 * 3 }, (_, i) => i / 10);
    const dir = mkdtempSync(join(tmpdir(), 'graft-augmented-'));
    await writeParquetFile(join(dir, 'a.parquet'), augmentedTable(copies, features, 3, artifactMetadata('graft.augmented/1')));
    await writeParquetFile(join(dir, 'empty.parquet'), augmentedTable([], new Float32Array(0), 3, artifactMetadata('graft.augmented/1')));
    const back = await readAugmented(join(dir, 'a.parquet'));
    expect(back.paths).toEqual(['a/1.png', 'a/1.png', 'a/4.png', 'a/4.png']);
    expect(Array.from(back.copies)).toEqual([0, 1, 0, 1]);
    expect(back.features).toEqual(features);
    const empty = await readAugmented(join(dir, 'empty.parquet'));
    expect([empty.paths.length, empty.dimension]).toEqual([0, 3]);
    const rows = await duckdb(`select path, copy_index, distortion, feature from '${join(dir, 'a.parquet')}' order by path, copy_index`);
    expect(JSON.parse(String(rows[1]!.distortion))).toEqual(copies[1]!.distortion);
    expect((rows[3]!.feature as number[]).map((v) => Math.fround(v))).toEqual(Array.from(features.subarray(9, 12)));
    const [count] = await duckdb(`select count(*)::INTEGER as n from '${join(dir, 'empty.parquet')}'`);
    expect(count).toEqual({ n: 0 });
  });
});
