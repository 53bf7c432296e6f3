import * as arrow from 'apache-arrow';
import { artifactHeader, columnValues, featureVector, makeTable, readArtifact, readFeatureColumn } from '@graft/core';
import { domainOf, type ManifestRow } from '@graft/split/tables';
import { adaptStage } from './spec.js';
import type { AdaptCurvePoint } from './train-method.js';
import type { AlignedDistances } from './run.js';
import type { LabelFreeDiagnostics } from './diagnostics.js';

/** Result of one method after selection. */
export interface MethodResult {
  readonly method: string;
  readonly selection: string;
  /** The selected trade-off λ (null for source-only). */
  readonly tradeoff: number | null;
  readonly step: number;
  readonly selectionScore: number;
  /** What is known of the selected model without target labels (what the recommendation reads). */
  readonly diagnostics: LabelFreeDiagnostics;
  /** Source–target distances on the aligned layer of the selected model. */
  readonly featureDistances: AlignedDistances;
  /** The model to deploy (one per run), by the recommendation rule. */
  readonly recommended: boolean;
  /** Why the rule recommends it or not. */
  readonly verdict: string;
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
      { name: 'source_validation_accuracy', type: new arrow.Float64(), values: Float64Array.from(results, (r) => r.diagnostics.sourceValidationAccuracy) },
      { name: 'source_validation_images', type: new arrow.Int32(), values: Int32Array.from(results, (r) => r.diagnostics.sourceValidationImages) },
      { name: 'reverse_validation_accuracy', type: new arrow.Float64(), values: Float64Array.from(results, (r) => r.diagnostics.reverseValidationAccuracy) },
      { name: 'target_class_balance', type: new arrow.Float64(), values: Float64Array.from(results, (r) => r.diagnostics.targetClassBalance) },
      { name: 'target_confidence', type: new arrow.Float64(), values: Float64Array.from(results, (r) => r.diagnostics.targetConfidence) },
      { name: 'recommended', type: new arrow.Bool(), values: results.map((r) => r.recommended) },
      { name: 'verdict', type: utf8, values: results.map((r) => r.verdict) },
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
  const number = (name: string) => column<number>(name);
  const [method, selection, tradeoff, verdict, recommended] = [column<string>('method'), column<string>('selection'), column<number | null>('tradeoff'), column<string>('verdict'), column<boolean>('recommended')];
  const [step, score, accuracy, images, reverse, balance, confidence, mmd, coral, proxyA] = ['step', 'selection_score', 'source_validation_accuracy', 'source_validation_images', 'reverse_validation_accuracy', 'target_class_balance', 'target_confidence', 'feature_mmd', 'feature_coral', 'feature_proxy_a_distance'].map(number);
  return method.map((m, i) => ({
    method: m, selection: selection[i]!, tradeoff: tradeoff[i] ?? null, step: step![i]!, selectionScore: score![i]!,
    diagnostics: { sourceValidationAccuracy: accuracy![i]!, sourceValidationImages: images![i]!, reverseValidationAccuracy: reverse![i]!, targetClassBalance: balance![i]!, targetConfidence: confidence![i]! },
    featureDistances: { mmd: mmd![i]!, coral: coral![i]!, proxyA: proxyA![i]! }, recommended: Boolean(recommended[i]), verdict: verdict[i]!,
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
