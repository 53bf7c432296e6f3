import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { cpuCount, mapConcurrent, sha256 } from '@graft/core';
import type { ManifestRow } from '@graft/split';
import type { FeatureCache } from '@graft/extract';

/** Side of the grey thumbnail a picture is compared by: PIXEL_SIDE² values. */
export const PIXEL_SIDE = 16;
export const PIXEL_DIMENSION = PIXEL_SIDE * PIXEL_SIDE;

/**
 * A picture's pixel descriptor: a PIXEL_SIDE × PIXEL_SIDE grey thumbnail (EXIF orientation applied,
 * transparency on white, stretched to a square), mean removed and scaled to unit length — the
 * cosine of two descriptors is their correlation. Saving smaller or with a stronger compression
 * barely moves it (bench/doctor-threshold.ts measures by how much); a different picture does.
 */
export async function pixelDescriptor(bytes: Uint8Array, maxPixels: number): Promise<Float32Array> {
  const grey = await sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels })
    .rotate()
    .flatten({ background: '#ffffff' })
    .greyscale()
    .resize(PIXEL_SIDE, PIXEL_SIDE, { fit: 'fill' })
    .raw()
    .toBuffer();
  const values = Float64Array.from(grey.subarray(0, PIXEL_DIMENSION));
  const mean = values.reduce((a, b) => a + b, 0) / PIXEL_DIMENSION;
  let norm = 0;
  for (let i = 0; i < PIXEL_DIMENSION; i++) norm += (values[i]! -= mean) ** 2;
  const inverse = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Float32Array.from(values, (v) => v * inverse);
}

/** Cache key of the descriptor: change it when pixelDescriptor changes. */
export const PIXEL_CACHE_KEY = `grey${PIXEL_SIDE}-v1`;
/** Descriptors computed between cache flushes (an interrupted run keeps what was flushed). */
const FLUSH_EVERY = 2000;

/**
 * Descriptors of the rows' files (row-major, n × PIXEL_DIMENSION), from the cache by content
 * sha256 or computed and added to it; rows whose file could not be used have a zero descriptor and
 * are listed with the reason.
 */
export async function pixelDescriptors(
  rows: readonly ManifestRow[], dataDir: string, cache: FeatureCache, onImage?: () => void,
): Promise<{ descriptors: Float32Array; unusable: { row: number; reason: string }[]; computed: number }> {
  const descriptors = new Float32Array(rows.length * PIXEL_DIMENSION);
  const unusable: { row: number; reason: string }[] = [];
  let computed = 0;
  await mapConcurrent(rows, Math.max(4, 2 * cpuCount()), async (row, i) => {
    const known = cache.failureOf(row.sha256);
    if (known) unusable.push({ row: i, reason: known });
    else if (cache.has(row.sha256)) await cache.copyInto(row.sha256, descriptors, i * PIXEL_DIMENSION);
    else {
      try {
        const bytes = await readFile(join(dataDir, row.path));
        if (sha256(bytes) !== row.sha256) unusable.push({ row: i, reason: 'the file changed since split' });
        else {
          const descriptor = await pixelDescriptor(bytes, Math.max(1, row.width * row.height));
          descriptors.set(descriptor, i * PIXEL_DIMENSION);
          cache.add(row.sha256, descriptor, 'sharp');
          if (++computed % FLUSH_EVERY === 0) await cache.flush();
        }
      } catch (error) {
        const reason = String((error as Error).message).split('\n')[0]!;
        if ((error as NodeJS.ErrnoException).code === undefined) cache.addFailure(row.sha256, reason);
        unusable.push({ row: i, reason });
      }
    }
    onImage?.();
  });
  await cache.flush();
  return { descriptors, unusable: unusable.sort((a, b) => a.row - b.row), computed };
}
