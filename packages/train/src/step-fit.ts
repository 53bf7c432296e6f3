import { SeededRandom } from '@graft/core';
import type { HeadNetwork, LossSettings } from './head-network.js';
import { scoreRows } from './fit-problem.js';
import { makeBatchSampler } from './batch-sampler.js';
import { learningRateAt, type ScheduleOptions } from './learning-rate.js';
import { stepOptimizer, type StepOptimizerName } from './step-optimizers.js';
import { initialParameters } from './head-parameters.js';
import type { CurvePoint } from './head-training.js';

export interface StepFitOptions extends ScheduleOptions {
  readonly optimizer: StepOptimizerName;
  readonly momentum: number;
  readonly batchSize: number;
  readonly dropout: number;
  readonly sampling: string;
  readonly evalEvery: number;
  readonly earlyStoppingPatience: number;
  readonly seed: number;
}

export interface StepFit {
  readonly theta: Float64Array;
  readonly curve: CurvePoint[];
  /** The curve point whose weights theta holds (the last one, or the best one with early stopping). */
  readonly kept: CurvePoint;
  readonly stepsRun: number;
}

/**
 * Mini-batch training (retrain.py's loop): each step draws a batch of training rows (balanced:
 * a random class, then a random image of it; or uniform), takes one optimizer step on its loss, and
 * every `evalEvery` steps records the batch loss and accuracy and the validation loss and accuracy.
 * Seeded: initialisation and batches draw from one stream, dropout masks from another.
 */
export function fitSteps(
  network: HeadNetwork, labels: Int32Array, trainRows: Int32Array, validationRows: Int32Array, loss: LossSettings, options: StepFitOptions,
  tick?: () => void,
): StepFit {
  const random = new SeededRandom(options.seed);
  const dropoutRandom = new SeededRandom(options.seed ^ 0x5bd1e995);
  const theta = initialParameters(network.shape, random);
  const gradient = new Float64Array(theta.length);
  const step = stepOptimizer(options.optimizer, theta.length, options.momentum);
  const sample = makeBatchSampler(Int32Array.from(trainRows, (row) => labels[row]!), network.shape.classCount, options.sampling, random);
  const { batchSize, dropout } = options;
  const maskWidth = network.shape.hiddenUnits > 0 ? network.shape.hiddenUnits : network.shape.featureDim;
  const mask = dropout > 0 ? new Float32Array(batchSize * maskWidth) : undefined;
  const keep = 1 / (1 - dropout);
  const batch = new Int32Array(batchSize);
  const curve: CurvePoint[] = [];
  let best: { point: CurvePoint; theta: Float64Array } | undefined;
  let recordsSinceBest = 0;
  let stepsRun = 0;
  for (let s = 1; s <= options.steps; s++) {
    const rate = learningRateAt(s, options);
    const picked = sample(batchSize);
    for (let i = 0; i < batchSize; i++) batch[i] = trainRows[picked[i]!]!;
    if (mask) for (let i = 0; i < mask.length; i++) mask[i] = dropoutRandom.next() < dropout ? 0 : keep;
    const evaluation = network.evaluate(theta, batch, loss, gradient, mask);
    step(theta, gradient, rate);
    stepsRun = s;
    tick?.();
    if (s % options.evalEvery !== 0 && s !== options.steps) continue;
    const validation = scoreRows(network, theta, validationRows, labels);
    const point: CurvePoint = {
      step: s, learningRate: rate, loss: evaluation.loss, trainAccuracy: evaluation.correct / batchSize,
      validationLoss: Number.isNaN(validation.loss) ? null : validation.loss, validationAccuracy: Number.isNaN(validation.accuracy) ? null : validation.accuracy,
    };
    curve.push(point);
    if (options.earlyStoppingPatience > 0 && point.validationLoss !== null) {
      if (!best || point.validationLoss < best.point.validationLoss!) {
        best = { point, theta: Float64Array.from(theta) };
        recordsSinceBest = 0;
      } else if (++recordsSinceBest >= options.earlyStoppingPatience) {
        break;
      }
    }
  }
  return { theta: best?.theta ?? theta, curve, kept: best?.point ?? curve.at(-1)!, stepsRun };
}
