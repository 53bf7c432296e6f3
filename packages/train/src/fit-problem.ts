import { featureScaling, Workspace, type FeatureScaling, type Matrix } from '@graft/linalg';
import { HeadNetwork, type HeadShape, type InputMap } from './head-network.js';
import type { LabelledFeatures } from './features.js';

/**
 * The rows a head is fitted and checked on, placed once in kernel memory: the training rows
 * (originals, then distorted copies) followed by the validation rows, centred on the training
 * rows' mean (so that float32 products lose nothing to a large common offset).
 */
export class FitProblem {
  readonly workspace = new Workspace();
  readonly features: Matrix;
  readonly labels: Int32Array;
  readonly dimension: number;
  /** Rows 0 … trainCount − 1. */
  readonly trainRows: Int32Array;
  readonly validationRows: Int32Array;
  /** The training rows' mean, subtracted from every stored row. */
  readonly centre: Float64Array;

  /** Training rows that are images (the rest are distorted copies of them). */
  readonly originalCount: number;
  private readonly originalOfCopy: Int32Array;

  /** `train` holds `originalCount` images, then distorted copies (each with its image's path). */
  constructor(train: LabelledFeatures, validation: LabelledFeatures, originalCount = train.count) {
    const dimension = (this.dimension = train.dimension);
    this.originalCount = originalCount;
    const rowOfPath = new Map<string, number>();
    for (let r = 0; r < originalCount; r++) if (!rowOfPath.has(train.paths[r]!)) rowOfPath.set(train.paths[r]!, r);
    this.originalOfCopy = Int32Array.from({ length: train.count - originalCount }, (_, i) => rowOfPath.get(train.paths[originalCount + i]!) ?? -1);
    const count = train.count + validation.count;
    this.labels = Int32Array.from([...train.labels, ...validation.labels]);
    this.trainRows = Int32Array.from({ length: train.count }, (_, i) => i);
    this.validationRows = Int32Array.from({ length: validation.count }, (_, i) => train.count + i);
    const centre = (this.centre = new Float64Array(dimension));
    for (let r = 0; r < train.count; r++) {
      const at = r * dimension;
      for (let d = 0; d < dimension; d++) centre[d]! += train.features[at + d]!;
    }
    for (let d = 0; d < dimension; d++) centre[d]! /= Math.max(1, train.count);
    const features = (this.features = this.workspace.matrix(count, dimension));
    const stored = this.workspace.floats(features.ptr, count * features.ld);
    for (const [source, first] of [[train, 0], [validation, train.count]] as const) {
      for (let r = 0; r < source.count; r++) {
        const [from, to] = [r * dimension, (first + r) * features.ld];
        for (let d = 0; d < dimension; d++) stored[to + d] = source.features[from + d]! - centre[d]!;
      }
    }
  }

  /** Mean and standard deviation of the given rows (as given, not centred), from the stored float32 rows. */
  scaling(rows: Int32Array): FeatureScaling {
    const stored = this.workspace.floats(this.features.ptr, this.features.rows * this.features.ld);
    const { mean, scale } = featureScaling(stored, this.dimension, rows, this.features.ld);
    return { mean: Float64Array.from(mean, (m, d) => m + this.centre[d]!), scale };
  }

  /** The image row a distorted copy's row was made from (−1 if its image is not among the rows). */
  copyOf(row: number): number {
    return this.originalOfCopy[row - this.originalCount] ?? -1;
  }

  /** A network over these rows handling up to `maxRows` rows per call. */
  network(shape: HeadShape, maxRows: number): HeadNetwork {
    return new HeadNetwork(this.workspace, this.features, this.labels, shape, Math.max(1, maxRows));
  }

  /** The input map that applies `scaling` to the stored (centred) rows. */
  inputMap(scaling: FeatureScaling): InputMap {
    return {
      shift: Float64Array.from(scaling.mean, (mean, d) => mean - this.centre[d]!),
      inverseScale: Float64Array.from(scaling.scale, (scale) => 1 / scale),
    };
  }
}

/** Loss, accuracy and log-loss of `rows` without regularisation, in chunks the network can take. */
export function scoreRows(network: HeadNetwork, theta: Float64Array, rows: Int32Array, labels: Int32Array): { loss: number; accuracy: number; correct: number } {
  if (rows.length === 0) return { loss: NaN, accuracy: NaN, correct: 0 };
  const probabilities = network.probabilities(theta, rows);
  const classCount = network.shape.classCount;
  let loss = 0;
  let correct = 0;
  rows.forEach((row, i) => {
    const label = labels[row]!;
    let best = 0;
    for (let c = 1; c < classCount; c++) if (probabilities[i * classCount + c]! > probabilities[i * classCount + best]!) best = c;
    if (best === label) correct++;
    loss -= Math.log(Math.max(1e-300, probabilities[i * classCount + label]!));
  });
  return { loss: loss / rows.length, accuracy: correct / rows.length, correct };
}
