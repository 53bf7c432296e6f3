import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cpuCount, mapConcurrent, Progress, sha256 } from '@graft/core';
import type { ManifestRow } from '@graft/split';
import type { Preprocessing } from '../preprocessing.js';
import type { FeatureEngine } from '../engines/engine.js';
import type { FeatureCache } from '../feature-cache.js';
import { decodeDistortedInto, distortionCacheKey, distortionFor, type AugmentationSettings, type Distortion } from './distort.js';

/** One distorted copy of a training image. */
export interface AugmentedRow {
  readonly row: ManifestRow;
  readonly copy: number;
  readonly distortion: Distortion;
  /** Feature cache key: content sha256 + distortion hash. */
  readonly key: string;
}

/** The distorted copies of the train-split rows, sorted by path then copy. */
export function augmentedRows(rows: readonly ManifestRow[], settings: AugmentationSettings): AugmentedRow[] {
  if (settings.copies === 0) return [];
  return rows
    .filter((row) => row.split === 'train')
    .flatMap((row) =>
      Array.from({ length: settings.copies }, (_, copy) => {
        const distortion = distortionFor(settings, row.sha256, copy);
        return { row, copy, distortion, key: distortionCacheKey(row.sha256, distortion) };
      }),
    );
}

export interface AugmentOptions {
  readonly dataDir: string;
  readonly preprocessing: Preprocessing;
  readonly featureDim: number;
  readonly batchSize: number;
  readonly cache: FeatureCache;
  /** Opened only when some copy is not cached yet. */
  readonly openEngine: () => Promise<FeatureEngine>;
  readonly quiet: boolean;
  /** Persist the cache after this many new features. */
  readonly flushEvery?: number;
}

/**
 * Compute and cache the features of the copies not cached yet (each distinct key once). Returns
 * the keys that could not be decoded, with the reason, and the engine used (undefined if none ran).
 */
export async function computeAugmentedFeatures(copies: readonly AugmentedRow[], options: AugmentOptions): Promise<{ failed: Map<string, string>; computed: number; engine: string | undefined }> {
  const seen = new Set<string>();
  const todo = copies.filter((copy) => !options.cache.has(copy.key) && !seen.has(copy.key) && Boolean(seen.add(copy.key)));
  const failed = new Map<string, string>();
  if (todo.length === 0) return { failed, computed: 0, engine: undefined };
  const engine = await options.openEngine();
  const { preprocessing, batchSize, featureDim, cache } = options;
  const imageSize = preprocessing.size * preprocessing.size * 3;
  const buffer = new Float32Array(batchSize * imageSize);
  const progress = new Progress('extract: augmented copies', todo.length, { quiet: options.quiet });
  try {
    for (let start = 0; start < todo.length; start += batchSize) {
      const batch = todo.slice(start, start + batchSize);
      const reasons = await mapConcurrent(batch, cpuCount(), async (copy, i) => {
        try {
          const bytes = await readFile(join(options.dataDir, copy.row.path));
          if (sha256(bytes) !== copy.row.sha256) return 'the file changed since split: rerun split';
          await decodeDistortedInto(bytes, preprocessing, copy.distortion, { maxPixels: Math.max(1, copy.row.width * copy.row.height) }, buffer, i * imageSize);
          return undefined;
        } catch (error) {
          return `cannot decode: ${String((error as Error).message).split('\n')[0]}`;
        }
      });
      const kept: AugmentedRow[] = [];
      batch.forEach((copy, i) => {
        if (reasons[i]) return void failed.set(copy.key, reasons[i]!);
        if (kept.length !== i) buffer.copyWithin(kept.length * imageSize, i * imageSize, (i + 1) * imageSize);
        kept.push(copy);
      });
      if (kept.length > 0) {
        const features = await engine.infer(buffer.subarray(0, kept.length * imageSize), kept.length);
        kept.forEach((copy, i) => cache.add(copy.key, features.subarray(i * featureDim, (i + 1) * featureDim), engine.name));
      }
      progress.tick(batch.length);
      if (cache.pendingCount >= (options.flushEvery ?? 256)) await cache.flush();
    }
    await cache.flush();
    progress.finish(`${progress.rate.toFixed(1)} images/s`);
    return { failed, computed: todo.length - failed.size, engine: engine.name };
  } finally {
    await engine.dispose();
  }
}
