import * as arrow from 'apache-arrow';
import { columnValues, featureVector, makeTable, readArtifact, readFeatureColumn } from '@graft/core';
import { trainStage } from './spec.js';
import type { CurvePoint, SoftmaxHead } from './softmax-training.js';

/** head.parquet: one row per class with its weight vector (column of the weight matrix) and bias. */
export function headTable(head: SoftmaxHead, labels: readonly string[], metadata: Map<string, string>): arrow.Table {
  const { featureDim, classCount } = head;
  const perClass = new Float32Array(classCount * featureDim);
  for (let c = 0; c < classCount; c++) for (let d = 0; d < featureDim; d++) perClass[c * featureDim + d] = head.weights[d * classCount + c]!;
  const weights = featureVector(perClass, featureDim);
  return makeTable(
    [
      { name: 'class_index', type: new arrow.Int32(), values: Int32Array.from({ length: classCount }, (_, i) => i) },
      { name: 'class_name', type: new arrow.Utf8(), values: labels },
      { name: 'weights', type: weights.type, values: weights },
      { name: 'bias', type: new arrow.Float32(), values: Float32Array.from(head.bias) },
    ],
    metadata,
  );
}

/** Read head.parquet back into a SoftmaxHead and its labels. */
export async function readHead(path: string): Promise<{ head: SoftmaxHead; labels: string[] }> {
  const table = await readArtifact(path, trainStage.outputs.head.schema, 'train');
  const { values, dimension } = readFeatureColumn(table, 'weights');
  const classCount = table.numRows;
  const weights = new Float32Array(dimension * classCount);
  for (let c = 0; c < classCount; c++) for (let d = 0; d < dimension; d++) weights[d * classCount + c] = values[c * dimension + d]!;
  return { head: { weights, bias: Float32Array.from(columnValues<number>(table, 'bias')), featureDim: dimension, classCount }, labels: columnValues<string>(table, 'class_name') };
}

export function metricsTable(curve: readonly CurvePoint[], metadata: Map<string, string>): arrow.Table {
  return makeTable(
    [
      { name: 'step', type: new arrow.Int32(), values: Int32Array.from(curve, (p) => p.step) },
      { name: 'loss', type: new arrow.Float64(), values: Float64Array.from(curve, (p) => p.loss) },
      { name: 'train_accuracy', type: new arrow.Float64(), values: Float64Array.from(curve, (p) => p.trainAccuracy) },
      { name: 'validation_loss', type: new arrow.Float64(), nullable: true, values: curve.map((p) => p.validationLoss) },
      { name: 'validation_accuracy', type: new arrow.Float64(), nullable: true, values: curve.map((p) => p.validationAccuracy) },
    ],
    metadata,
  );
}

export async function readMetrics(path: string): Promise<CurvePoint[]> {
  const table = await readArtifact(path, trainStage.outputs.metrics.schema, 'train');
  const [steps, loss, trainAccuracy, validationLoss, validationAccuracy] = ['step', 'loss', 'train_accuracy', 'validation_loss', 'validation_accuracy'].map((name) => columnValues<number | null>(table, name));
  return steps!.map((step, i) => ({ step: step!, loss: loss![i]!, trainAccuracy: trainAccuracy![i]!, validationLoss: validationLoss![i] ?? null, validationAccuracy: validationAccuracy![i] ?? null }));
}
