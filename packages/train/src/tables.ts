import * as arrow from 'apache-arrow';
import { columnValues, featureVector, makeTable, readArtifact, readFeatureColumn } from '@graft/core';
import { trainStage } from './spec.js';
import type { DenseWeights } from './head.js';
import type { CurvePoint } from './head-training.js';
import type { L2Candidate, L2Selection } from './l2-selection.js';
import type { FeatureScaling } from '@graft/linalg';

/**
 * head.parquet: one row per class with its weight vector (column of the softmax layer's kernel)
 * and bias. With a hidden layer the vectors weigh hidden activations, not features; the complete
 * head is the tfjs model in model/.
 */
export function headTable(output: DenseWeights, labels: readonly string[], metadata: Map<string, string>): arrow.Table {
  const { inputDim, units } = output;
  const perClass = new Float32Array(units * inputDim);
  for (let c = 0; c < units; c++) for (let d = 0; d < inputDim; d++) perClass[c * inputDim + d] = output.kernel[d * units + c]!;
  const weights = featureVector(perClass, inputDim);
  return makeTable(
    [
      { name: 'class_index', type: new arrow.Int32(), values: Int32Array.from({ length: units }, (_, i) => i) },
      { name: 'class_name', type: new arrow.Utf8(), values: labels },
      { name: 'weights', type: weights.type, values: weights },
      { name: 'bias', type: new arrow.Float32(), values: Float32Array.from(output.bias) },
    ],
    metadata,
  );
}

/** Read head.parquet back: the softmax layer's weights and the labels. */
export async function readHead(path: string): Promise<{ output: DenseWeights; labels: string[] }> {
  const table = await readArtifact(path, trainStage.outputs.head.schema, 'train');
  const { values, dimension } = readFeatureColumn(table, 'weights');
  const units = table.numRows;
  const kernel = new Float32Array(dimension * units);
  for (let c = 0; c < units; c++) for (let d = 0; d < dimension; d++) kernel[d * units + c] = values[c * dimension + d]!;
  return { output: { kernel, bias: Float32Array.from(columnValues<number>(table, 'bias')), inputDim: dimension, units }, labels: columnValues<string>(table, 'class_name') };
}

/** The curve of one training run, labelled for the metrics table. */
export interface RunCurve {
  /** 0-based run number (sweep order). */
  readonly run: number;
  /** The swept settings of the run as flags (`learning-rate=0.01 hidden-units=256`); empty without a sweep. */
  readonly settings: string;
  /** Whether this run's head is the one train wrote. */
  readonly chosen: boolean;
  readonly curve: readonly CurvePoint[];
}

/** metrics.parquet: the training curves of every run, one row per recorded step. */
export function metricsTable(runs: readonly RunCurve[], metadata: Map<string, string>): arrow.Table {
  const rows = runs.flatMap((run) => run.curve.map((point) => ({ run, point })));
  return makeTable(
    [
      { name: 'run', type: new arrow.Int32(), values: Int32Array.from(rows, (r) => r.run.run) },
      { name: 'settings', type: new arrow.Utf8(), values: rows.map((r) => r.run.settings) },
      { name: 'chosen', type: new arrow.Bool(), values: rows.map((r) => r.run.chosen) },
      { name: 'step', type: new arrow.Int32(), values: Int32Array.from(rows, (r) => r.point.step) },
      { name: 'learning_rate', type: new arrow.Float64(), values: Float64Array.from(rows, (r) => r.point.learningRate) },
      { name: 'loss', type: new arrow.Float64(), values: Float64Array.from(rows, (r) => r.point.loss) },
      { name: 'train_accuracy', type: new arrow.Float64(), values: Float64Array.from(rows, (r) => r.point.trainAccuracy) },
      { name: 'validation_loss', type: new arrow.Float64(), nullable: true, values: rows.map((r) => r.point.validationLoss) },
      { name: 'validation_accuracy', type: new arrow.Float64(), nullable: true, values: rows.map((r) => r.point.validationAccuracy) },
    ],
    metadata,
  );
}

/** Every run's curve from metrics.parquet. */
export async function readRunCurves(path: string): Promise<RunCurve[]> {
  const table = await readArtifact(path, trainStage.outputs.metrics.schema, 'train');
  const column = <T>(name: string) => columnValues<T>(table, name);
  const [run, settings, chosen, step, learningRate, loss, trainAccuracy, validationLoss, validationAccuracy] = [
    column<number>('run'), column<string>('settings'), column<boolean>('chosen'), column<number>('step'), column<number>('learning_rate'),
    column<number>('loss'), column<number>('train_accuracy'), column<number | null>('validation_loss'), column<number | null>('validation_accuracy'),
  ];
  const runs = new Map<number, { run: number; settings: string; chosen: boolean; curve: CurvePoint[] }>();
  run.forEach((r, i) => {
    if (!runs.has(r)) runs.set(r, { run: r, settings: settings[i]!, chosen: chosen[i]!, curve: [] });
    runs.get(r)!.curve.push({ step: step[i]!, learningRate: learningRate[i]!, loss: loss[i]!, trainAccuracy: trainAccuracy[i]!, validationLoss: validationLoss[i] ?? null, validationAccuracy: validationAccuracy[i] ?? null });
  });
  return [...runs.values()];
}

/** The training curve of the head train wrote (the chosen run of a sweep). */
export async function readMetrics(path: string): Promise<CurvePoint[]> {
  const runs = await readRunCurves(path);
  return [...(runs.find((run) => run.chosen) ?? runs[0]!).curve];
}

/** selection.parquet: every L2 strength tried by every run, how it scored, which was chosen. */
export function selectionTable(runs: readonly { run: number; selection: L2Selection | null }[], metadata: Map<string, string>): arrow.Table {
  const rows = runs.flatMap(({ run, selection }) => (selection ? selection.candidates.map((candidate) => ({ run, selection, candidate })) : []));
  return makeTable(
    [
      { name: 'run', type: new arrow.Int32(), values: Int32Array.from(rows, (r) => r.run) },
      { name: 'method', type: new arrow.Utf8(), values: rows.map((r) => r.selection.method) },
      { name: 'folds', type: new arrow.Int32(), values: Int32Array.from(rows, (r) => r.selection.folds) },
      { name: 'l2', type: new arrow.Float64(), values: Float64Array.from(rows, (r) => r.candidate.l2) },
      { name: 'accuracy', type: new arrow.Float64(), values: Float64Array.from(rows, (r) => r.candidate.accuracy) },
      { name: 'accuracy_sd', type: new arrow.Float64(), nullable: true, values: rows.map((r) => r.candidate.accuracySd) },
      { name: 'log_loss', type: new arrow.Float64(), values: Float64Array.from(rows, (r) => r.candidate.logLoss) },
      { name: 'iterations', type: new arrow.Float64(), values: Float64Array.from(rows, (r) => r.candidate.iterations) },
      { name: 'converged', type: new arrow.Bool(), values: rows.map((r) => r.candidate.converged) },
      { name: 'chosen', type: new arrow.Bool(), values: rows.map((r) => r.candidate.l2 === r.selection.chosen) },
    ],
    metadata,
  );
}

/** One row of selection.parquet: a strength one run tried, how it scored, and whether it was chosen. */
export interface SelectionRow extends L2Candidate {
  readonly run: number;
  readonly method: string;
  readonly folds: number;
  readonly chosen: boolean;
}

export async function readSelection(path: string): Promise<SelectionRow[]> {
  const table = await readArtifact(path, trainStage.outputs.selection.schema, 'train');
  const column = <T>(name: string) => columnValues<T>(table, name);
  const [run, method, folds, l2, accuracy, accuracySd, logLoss, iterations, converged, chosen] = [
    column<number>('run'), column<string>('method'), column<number>('folds'), column<number>('l2'), column<number>('accuracy'),
    column<number | null>('accuracy_sd'), column<number>('log_loss'), column<number>('iterations'), column<boolean>('converged'), column<boolean>('chosen'),
  ];
  return run.map((r, i) => ({ run: r, method: method[i]!, folds: folds[i]!, l2: l2[i]!, accuracy: accuracy[i]!, accuracySd: accuracySd[i] ?? null, logLoss: logLoss[i]!, iterations: iterations[i]!, converged: converged[i]!, chosen: chosen[i]! }));
}

/** standardization.parquet: per feature dimension, the mean and scale the head standardized with. */
export function standardizationTable(scaling: FeatureScaling, metadata: Map<string, string>): arrow.Table {
  return makeTable(
    [
      { name: 'dimension', type: new arrow.Int32(), values: Int32Array.from(scaling.mean, (_, i) => i) },
      { name: 'mean', type: new arrow.Float64(), values: Float64Array.from(scaling.mean) },
      { name: 'scale', type: new arrow.Float64(), values: Float64Array.from(scaling.scale) },
    ],
    metadata,
  );
}

export async function readStandardization(path: string): Promise<FeatureScaling> {
  const table = await readArtifact(path, trainStage.outputs.standardization.schema, 'train');
  return { mean: Float64Array.from(columnValues<number>(table, 'mean')), scale: Float64Array.from(columnValues<number>(table, 'scale')) };
}
