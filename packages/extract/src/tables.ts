import * as arrow from 'apache-arrow';
import { artifactHeader, featureVector, makeTable, readArtifact, readFeatureColumn } from '@graft/core';
import { manifestColumns, manifestRows, type ManifestRow } from '@graft/split';
import { extractStage } from './spec.js';
import type { Preprocessing } from './preprocessing.js';
import type { SkippedImage } from './compute-features.js';

/** The bottleneck table: manifest columns + `feature` FixedSizeList<Float32>[featureDim]. */
export function bottleneckTable(rows: readonly ManifestRow[], features: Float32Array, featureDim: number, metadata: Map<string, string>): arrow.Table {
  const feature = featureVector(features, featureDim);
  return makeTable([...manifestColumns(rows), { name: 'feature', type: feature.type, values: feature }], metadata);
}

export function skippedTable(rows: readonly SkippedImage[], metadata: Map<string, string>): arrow.Table {
  return makeTable(
    [
      { name: 'path', type: new arrow.Utf8(), values: rows.map((r) => r.path) },
      { name: 'class_name', type: new arrow.Utf8(), nullable: true, values: rows.map((r) => r.className) },
      { name: 'reason', type: new arrow.Utf8(), values: rows.map((r) => r.reason) },
    ],
    metadata,
  );
}

/** Bottlenecks read back: rows, row-major features, and the extract provenance. */
export interface Bottlenecks {
  readonly rows: ManifestRow[];
  readonly features: Float32Array;
  readonly featureDim: number;
  readonly provenance: BottleneckProvenance;
}

/** The parts of extract's provenance later stages rely on. */
export interface BottleneckProvenance {
  readonly backbone: { id: string; layer: string; weightsSha256: string; featureDim: number; licence: string };
  readonly preprocessing: Preprocessing;
  readonly engines: Record<string, number>;
  readonly [key: string]: unknown;
}

export async function readBottlenecks(path: string): Promise<Bottlenecks> {
  const table = await readArtifact(path, extractStage.outputs.bottlenecks.schema, 'extract');
  const { values, dimension } = readFeatureColumn(table, 'feature');
  const provenance = artifactHeader(table)!.provenance as unknown as BottleneckProvenance;
  return { rows: manifestRows(table), features: values, featureDim: dimension, provenance };
}
