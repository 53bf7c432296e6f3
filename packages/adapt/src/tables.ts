import * as arrow from 'apache-arrow';
import { artifactHeader, columnValues, featureVector, makeTable, readArtifact, readFeatureColumn } from '@graft/core';
import { domainOf, type ManifestRow } from '@graft/split/tables';
import { adaptStage } from './spec.js';
import type { AdaptCurvePoint } from './train-method.js';
import type { AlignedDistances } from './run.js';

/** Result of one method after selection. */
export interface MethodResult {
  readonly method: string;
  readonly selection: string;
  /** The selected trade-off λ (null for source-only). */
  readonly tradeoff: number | null;
  readonly step: number;
  readonly selectionScore: number;
  readonly sourceValidationAccuracy: number;
  /** Source–target distances on the aligned layer of the selected model. */
  readonly featureDistances: AlignedDistances;
  readonly seconds: number;
}

const utf8 = new arrow.Utf8();

/** predictions.parquet: per method and image, the predicted class and probabilities; no true labels. */
export function predictionsTable(method: string[], rows: readonly ManifestRow[], predicted: Int32Array, confidence: Float32Array, probabilities: Float32Array, classCount: number, metadata: Map<string, string>): arrow.Table {
  const column = featureVector(probabilities, classCount);
  return makeTable(
    [
      { name: 'method', type: utf8, values: method },
      { name: 'domain', type: utf8, values: rows.map((r) => domainOf(r)) },
      { name: 'split', type: utf8, values: rows.map((r) => r.split) },
      { name: 'path', type: utf8, values: rows.map((r) => r.path) },
      { name: 'predicted_index', type: new arrow.Int32(), values: predicted },
      { name: 'confidence', type: new arrow.Float32(), values: confidence },
      { name: 'probabilities', type: column.type, values: column },
    ],
    metadata,
  );
}

export interface AdaptPredictions {
  readonly method: string[];
  readonly domain: string[];
  readonly split: string[];
  readonly path: string[];
  readonly predicted: number[];
  readonly probabilities: Float32Array;
  readonly classCount: number;
  /** The adapt run's provenance (its input hashes say which bottlenecks it was trained on). */
  readonly provenance: Record<string, unknown>;
}

export async function readAdaptPredictions(path: string): Promise<AdaptPredictions> {
  const table = await readArtifact(path, adaptStage.outputs.predictions.schema, 'adapt');
  const { values, dimension } = readFeatureColumn(table, 'probabilities');
  return {
    method: columnValues<string>(table, 'method'), domain: columnValues<string>(table, 'domain'), split: columnValues<string>(table, 'split'), path: columnValues<string>(table, 'path'),
    predicted: columnValues<number>(table, 'predicted_index'), probabilities: values, classCount: dimension, provenance: artifactHeader(table)?.provenance ?? {},
  };
}

export function methodsTable(results: readonly MethodResult[], metadata: Map<string, string>): arrow.Table {
  return makeTable(
    [
      { name: 'method', type: utf8, values: results.map((r) => r.method) },
      { name: 'selection', type: utf8, values: results.map((r) => r.selection) },
      { name: 'tradeoff', type: new arrow.Float64(), nullable: true, values: results.map((r) => r.tradeoff) },
      { name: 'step', type: new arrow.Int32(), values: Int32Array.from(results, (r) => r.step) },
      { name: 'selection_score', type: new arrow.Float64(), values: Float64Array.from(results, (r) => r.selectionScore) },
      { name: 'source_validation_accuracy', type: new arrow.Float64(), values: Float64Array.from(results, (r) => r.sourceValidationAccuracy) },
      { name: 'feature_mmd', type: new arrow.Float64(), values: Float64Array.from(results, (r) => r.featureDistances.mmd) },
      { name: 'feature_coral', type: new arrow.Float64(), values: Float64Array.from(results, (r) => r.featureDistances.coral) },
      { name: 'feature_proxy_a_distance', type: new arrow.Float64(), values: Float64Array.from(results, (r) => r.featureDistances.proxyA) },
    ],
    metadata,
  );
}

export async function readMethods(path: string): Promise<Omit<MethodResult, 'seconds'>[]> {
  const table = await readArtifact(path, adaptStage.outputs.methods.schema, 'adapt');
  const column = <T>(name: string) => columnValues<T>(table, name);
  const [method, selection, tradeoff, step, score, accuracy, mmd, coral, proxyA] = [
    column<string>('method'), column<string>('selection'), column<number | null>('tradeoff'), column<number>('step'), column<number>('selection_score'), column<number>('source_validation_accuracy'),
    column<number>('feature_mmd'), column<number>('feature_coral'), column<number>('feature_proxy_a_distance'),
  ];
  return method.map((m, i) => ({
    method: m, selection: selection[i]!, tradeoff: tradeoff[i] ?? null, step: step[i]!, selectionScore: score[i]!, sourceValidationAccuracy: accuracy[i]!,
    featureDistances: { mmd: mmd[i]!, coral: coral[i]!, proxyA: proxyA[i]! },
  }));
}

export function curvesTable(curves: readonly { method: string; tradeoff: number | null; points: readonly AdaptCurvePoint[] }[], metadata: Map<string, string>): arrow.Table {
  const rows = curves.flatMap((c) => c.points.map((p) => ({ method: c.method, tradeoff: c.tradeoff, ...p })));
  return makeTable(
    [
      { name: 'method', type: utf8, values: rows.map((r) => r.method) },
      { name: 'tradeoff', type: new arrow.Float64(), nullable: true, values: rows.map((r) => r.tradeoff) },
      { name: 'step', type: new arrow.Int32(), values: Int32Array.from(rows, (r) => r.step) },
      { name: 'classification_loss', type: new arrow.Float64(), values: Float64Array.from(rows, (r) => r.classificationLoss) },
      { name: 'adaptation_loss', type: new arrow.Float64(), values: Float64Array.from(rows, (r) => r.adaptationLoss) },
      { name: 'selection_score', type: new arrow.Float64(), values: Float64Array.from(rows, (r) => r.selectionScore) },
    ],
    metadata,
  );
}
