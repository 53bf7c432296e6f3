import * as arrow from 'apache-arrow';
import { artifactHeader, featureVector, makeTable, readArtifact, readFeatureColumn, writeParquetFile, writeParquetStream } from '@graft/core';
import { manifestColumns, manifestRows, type ManifestRow } from '@graft/split/tables';
import { extractStage } from './spec.js';
import type { Preprocessing } from './preprocessing.js';
import type { SkippedImage } from './compute-features.js';
import type { FeatureCache } from './feature-cache.js';

/** The bottleneck table: manifest columns + `feature` FixedSizeList<Float32>[featureDim]. */
export function bottleneckTable(rows: readonly ManifestRow[], features: Float32Array, featureDim: number, metadata: Map<string, string>): arrow.Table {
  const feature = featureVector(features, featureDim);
  return makeTable([...manifestColumns(rows), { name: 'feature', type: feature.type, values: feature }], metadata);
}

/** Rows per Parquet row group of the bottleneck table: about 16 MB of features each. */
export function bottleneckRowGroupRows(featureDim: number): number {
  return Math.max(256, Math.floor((16 * 1024 * 1024) / (4 * featureDim)));
}

/**
 * Write the bottleneck table row group by row group, reading features back from the cache, so
 * memory stays bounded whatever the number of images.
 */
export async function writeBottlenecks(path: string, rows: readonly ManifestRow[], cache: FeatureCache, metadata: Map<string, string>): Promise<void> {
  const { featureDim } = cache;
  if (rows.length === 0) {
    await writeParquetFile(path, bottleneckTable([], new Float32Array(0), featureDim, metadata));
    return;
  }
  const groupRows = bottleneckRowGroupRows(featureDim);
  let next = 0;
  await writeParquetStream(
    path,
    metadata,
    async () => {
      if (next >= rows.length) return undefined;
      const group = rows.slice(next, next + groupRows);
      next += group.length;
      const features = new Float32Array(group.length * featureDim);
      for (let i = 0; i < group.length; i++) await cache.copyInto(group[i]!.sha256, features, i * featureDim);
      return bottleneckTable(group, features, featureDim, metadata);
    },
    groupRows,
  );
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

/** Bottleneck schemas this Graft reads, current first (graft.bottlenecks/1 had no `domain` column: all source). */
export const BOTTLENECK_SCHEMAS = [extractStage.outputs.bottlenecks.schema, 'graft.bottlenecks/1'] as const;

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
  const table = await readArtifact(path, BOTTLENECK_SCHEMAS, 'extract');
  const { values, dimension } = readFeatureColumn(table, 'feature');
  const provenance = artifactHeader(table)!.provenance as unknown as BottleneckProvenance;
  return { rows: manifestRows(table), features: values, featureDim: dimension, provenance };
}
