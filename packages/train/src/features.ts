import type { Bottlenecks } from '@graft/extract';
import { domainOf } from '@graft/split/tables';
import type { Split } from '@graft/split';

/** Features and labels of one split, row-major. */
export interface LabelledFeatures {
  readonly features: Float32Array;
  readonly labels: Int32Array;
  readonly paths: string[];
  readonly count: number;
  readonly dimension: number;
}

/** The source-domain rows of one split from the bottleneck table (target-domain rows are never trained on here). */
export function selectSplit(bottlenecks: Bottlenecks, split: Split): LabelledFeatures {
  const { rows, features, featureDim } = bottlenecks;
  const indices = rows.flatMap((row, i) => (row.split === split && domainOf(row) === 'source' ? [i] : []));
  const selected = new Float32Array(indices.length * featureDim);
  indices.forEach((rowIndex, i) => selected.set(features.subarray(rowIndex * featureDim, (rowIndex + 1) * featureDim), i * featureDim));
  return {
    features: selected,
    labels: Int32Array.from(indices, (i) => rows[i]!.classIndex),
    paths: indices.map((i) => rows[i]!.path),
    count: indices.length,
    dimension: featureDim,
  };
}

/** Distorted copies of training images (extract's augmented table), as rows to add. */
export interface AugmentedRows {
  readonly paths: readonly string[];
  readonly labels: Int32Array;
  readonly features: Float32Array;
  readonly dimension: number;
}

/**
 * The train split plus the distorted copies of its images. Copies of images that are not in
 * `train` are left out, so validation and test images never enter training in any form.
 */
export function withAugmented(train: LabelledFeatures, augmented: AugmentedRows): { features: LabelledFeatures; added: number } {
  if (augmented.paths.length === 0) return { features: train, added: 0 };
  if (augmented.dimension !== train.dimension) throw new Error(`augmented features are ${augmented.dimension}-d, bottlenecks ${train.dimension}-d`);
  const inTrain = new Set(train.paths);
  const rows = augmented.paths.flatMap((path, i) => (inTrain.has(path) ? [i] : []));
  const d = train.dimension;
  const features = new Float32Array((train.count + rows.length) * d);
  features.set(train.features);
  rows.forEach((row, i) => features.set(augmented.features.subarray(row * d, (row + 1) * d), (train.count + i) * d));
  return {
    features: {
      features,
      labels: Int32Array.from([...train.labels, ...rows.map((row) => augmented.labels[row]!)]),
      paths: [...train.paths, ...rows.map((row) => augmented.paths[row]!)],
      count: train.count + rows.length,
      dimension: d,
    },
    added: rows.length,
  };
}

/** Rows `rows` of `all` (in that order), as their own LabelledFeatures. */
export function pickRows(all: LabelledFeatures, rows: readonly number[]): LabelledFeatures {
  const { dimension } = all;
  const features = new Float32Array(rows.length * dimension);
  rows.forEach((row, i) => features.set(all.features.subarray(row * dimension, (row + 1) * dimension), i * dimension));
  return { features, labels: Int32Array.from(rows, (row) => all.labels[row]!), paths: rows.map((row) => all.paths[row]!), count: rows.length, dimension };
}
