import * as arrow from 'apache-arrow';
import { columnValues, featureVector, makeTable, readArtifact, readFeatureColumn, stableStringify } from '@graft/core';
import { extractStage } from '../spec.js';
import type { AugmentedRow } from './augment-features.js';

/**
 * augmented.parquet: one row per distorted copy of a train-split image — path, class, content
 * sha256, copy index, the distortion as JSON, and the feature (FixedSizeList<Float32>).
 */
export function augmentedTable(rows: readonly AugmentedRow[], features: Float32Array, featureDim: number, metadata: Map<string, string>): arrow.Table {
  const utf8 = new arrow.Utf8();
  const feature = featureVector(features, featureDim);
  return makeTable(
    [
      { name: 'path', type: utf8, values: rows.map((r) => r.row.path) },
      { name: 'class_name', type: utf8, values: rows.map((r) => r.row.className) },
      { name: 'class_index', type: new arrow.Int32(), values: Int32Array.from(rows, (r) => r.row.classIndex) },
      { name: 'sha256', type: utf8, values: rows.map((r) => r.row.sha256) },
      { name: 'copy_index', type: new arrow.Int32(), values: Int32Array.from(rows, (r) => r.copy) },
      { name: 'distortion', type: utf8, values: rows.map((r) => stableStringify(r.distortion)) },
      { name: 'feature', type: feature.type, values: feature },
    ],
    metadata,
  );
}

/** Distorted copies read back (what train needs). */
export interface AugmentedFeatures {
  readonly paths: string[];
  readonly labels: Int32Array;
  readonly copies: Int32Array;
  readonly features: Float32Array;
  readonly dimension: number;
}

export async function readAugmented(path: string): Promise<AugmentedFeatures> {
  const table = await readArtifact(path, extractStage.outputs.augmented.schema, 'extract');
  const { values, dimension } = readFeatureColumn(table, 'feature');
  return {
    paths: columnValues<string>(table, 'path'),
    labels: Int32Array.from(columnValues<number>(table, 'class_index')),
    copies: Int32Array.from(columnValues<number>(table, 'copy_index')),
    features: values,
    dimension,
  };
}
