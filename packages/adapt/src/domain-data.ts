import { featureScaling, type FeatureScaling } from '@graft/linalg';
import { domainOf } from '@graft/split/tables';
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
 * The network's fixed input scaling: each dimension standardized with the source training rows'
 * mean and standard deviation (as the train stage's head), so source-only is the baseline users get.
 */
export function inputScaling(set: { features: Float32Array; count: number }, dimension: number): { mean: Float32Array; inverseStd: Float32Array } {
  const { mean, scale } = sourceScaling(set, dimension);
  return { mean: Float32Array.from(mean), inverseStd: Float32Array.from(scale, (s) => 1 / s) };
}

/** Mean and standard deviation per dimension of a set's rows (what inputScaling inverts). */
export function sourceScaling(set: { features: Float32Array; count: number }, dimension: number): FeatureScaling {
  return featureScaling(set.features, dimension, Int32Array.from({ length: set.count }, (_, i) => i));
}
