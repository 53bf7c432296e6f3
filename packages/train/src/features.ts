import type { Bottlenecks } from '@graft/extract';
import { domainOf, type Split } from '@graft/split';

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
