import { domainOf } from '@graft/split';
import type { Bottlenecks } from '@graft/extract';

/** Labelled source features (row-major). */
export interface LabelledSet {
  readonly features: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

/** Target features without labels. */
export interface UnlabelledSet {
  readonly features: Float32Array;
  readonly count: number;
}

/**
 * What domain adaptation may see: labelled source train and validation rows, and the target's
 * adaptation rows (split `train`) as features only. Target labels are dropped here and the target
 * test rows are left out entirely: only evaluate scores the target.
 */
export interface DomainData {
  readonly dimension: number;
  readonly classCount: number;
  readonly sourceTrain: LabelledSet;
  readonly sourceValidation: LabelledSet;
  readonly target: UnlabelledSet;
}

function rowsWhere(bottlenecks: Bottlenecks, keep: (i: number) => boolean): number[] {
  return bottlenecks.rows.flatMap((_, i) => (keep(i) ? [i] : []));
}

function gather(bottlenecks: Bottlenecks, indices: readonly number[]): Float32Array {
  const d = bottlenecks.featureDim;
  const out = new Float32Array(indices.length * d);
  indices.forEach((row, i) => out.set(bottlenecks.features.subarray(row * d, (row + 1) * d), i * d));
  return out;
}

export function domainData(bottlenecks: Bottlenecks, classCount: number): DomainData {
  const { rows } = bottlenecks;
  const labelled = (split: string): LabelledSet => {
    const indices = rowsWhere(bottlenecks, (i) => domainOf(rows[i]!) === 'source' && rows[i]!.split === split);
    return { features: gather(bottlenecks, indices), labels: Int32Array.from(indices, (i) => rows[i]!.classIndex), count: indices.length };
  };
  const targetRows = rowsWhere(bottlenecks, (i) => domainOf(rows[i]!) === 'target' && rows[i]!.split === 'train');
  return {
    dimension: bottlenecks.featureDim,
    classCount,
    sourceTrain: labelled('train'),
    sourceValidation: labelled('validation'),
    target: { features: gather(bottlenecks, targetRows), count: targetRows.length },
  };
}

/**
 * The network's fixed input scaling, from the source training features: centred on their mean and
 * divided by one global scale (the root-mean-square distance to the mean), so the feature geometry is
 * kept — per-dimension standardisation would blow up dimensions that barely vary on the source.
 */
export function inputScaling(set: { features: Float32Array; count: number }, dimension: number): { mean: Float32Array; inverseStd: Float32Array } {
  const mean = new Float64Array(dimension);
  for (let i = 0; i < set.count; i++) for (let k = 0; k < dimension; k++) mean[k]! += set.features[i * dimension + k]!;
  for (let k = 0; k < dimension; k++) mean[k]! /= Math.max(1, set.count);
  let squares = 0;
  for (let i = 0; i < set.count; i++) {
    for (let k = 0; k < dimension; k++) squares += (set.features[i * dimension + k]! - mean[k]!) ** 2;
  }
  const rms = Math.sqrt(squares / Math.max(1, set.count * dimension));
  return { mean: Float32Array.from(mean), inverseStd: new Float32Array(dimension).fill(rms > 1e-12 ? 1 / rms : 1) };
}
