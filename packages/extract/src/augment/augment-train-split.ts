import type { ManifestRow } from '@graft/split';
import { augmentedRows, computeAugmentedFeatures, type AugmentedRow, type AugmentOptions } from './augment-features.js';
import type { AugmentationSettings } from './distort.js';

/** The extract params that describe augmentation. */
export interface AugmentationParams {
  readonly augmentCopies: number;
  readonly flipLeftRight: boolean;
  readonly randomCrop: number;
  readonly randomScale: number;
  readonly randomBrightness: number;
  readonly augmentSeed: number;
}

export function augmentationSettings(params: AugmentationParams): AugmentationSettings {
  return { copies: params.augmentCopies, flipLeftRight: params.flipLeftRight, randomCrop: params.randomCrop, randomScale: params.randomScale, randomBrightness: params.randomBrightness, seed: params.augmentSeed };
}

export interface AugmentTrainSplitOptions extends AugmentOptions {
  /** Rows whose features were extracted (the train-split ones get copies). */
  readonly rows: readonly ManifestRow[];
  readonly settings: AugmentationSettings;
  readonly log: (message: string) => void;
}

/** What extract writes to augmented.parquet, and a summary for the log and provenance. */
export interface AugmentedOutput {
  readonly rows: AugmentedRow[];
  readonly features: Float32Array;
  readonly summary: { copies: number; rows: number; computed: number; cached: number; failed: number };
}

/**
 * Distorted copies of every train-split image: their features come from the feature cache (key =
 * content sha256 + distortion hash) or are computed now. Validation and test images are never
 * distorted. A copy that cannot be decoded is left out and counted.
 */
export async function augmentTrainSplit(options: AugmentTrainSplitOptions): Promise<AugmentedOutput> {
  const { settings, featureDim, cache } = options;
  const all = augmentedRows(options.rows, settings);
  if (all.length === 0) return { rows: [], features: new Float32Array(0), summary: { copies: settings.copies, rows: 0, computed: 0, cached: 0, failed: 0 } };
  const distinct = new Set(all.map((copy) => copy.key));
  const cachedBefore = [...distinct].filter((key) => cache.has(key)).length;
  options.log(`extract: ${all.length} distorted copies of ${all.length / settings.copies} train images (${settings.copies} each), ${cachedBefore} already cached, ${distinct.size - cachedBefore} to compute`);
  const { failed, computed, engine } = await computeAugmentedFeatures(all, options);
  if (engine) options.log(`extract: augmented copies computed with ${engine}`);
  if (failed.size) options.log(`extract: ${failed.size} distorted copies could not be decoded and are left out (${[...new Set(failed.values())].slice(0, 3).join('; ')})`);
  const rows = all.filter((copy) => !failed.has(copy.key));
  const features = new Float32Array(rows.length * featureDim);
  for (let i = 0; i < rows.length; i++) await cache.copyInto(rows[i]!.key, features, i * featureDim);
  return { rows, features, summary: { copies: settings.copies, rows: rows.length, computed, cached: cachedBefore, failed: failed.size } };
}
