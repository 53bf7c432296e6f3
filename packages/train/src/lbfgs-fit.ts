import { minimizeLbfgs, type LbfgsResult } from '@graft/linalg';
import type { HeadNetwork, LossSettings } from './head-network.js';
import { scoreRows } from './fit-problem.js';
import type { CurvePoint } from './head-training.js';

export interface LbfgsFitOptions {
  readonly maxIterations: number;
  readonly gradientTolerance: number;
}

export interface LbfgsFit {
  readonly theta: Float64Array;
  readonly solver: Pick<LbfgsResult, 'iterations' | 'gradientNorm' | 'stop' | 'evaluations'>;
  /** One point per iteration (only when `validationRows` are given to record). */
  readonly curve: CurvePoint[];
}

/**
 * Fit the head to convergence on all of `rows` at once (full-batch L-BFGS from `start`). With
 * `record`, every iteration's loss, train accuracy and validation loss and accuracy form the curve
 * (the learning-rate column holds the line search's step).
 */
export function fitLbfgs(
  network: HeadNetwork, labels: Int32Array, rows: Int32Array, loss: LossSettings, start: Float64Array, options: LbfgsFitOptions,
  record?: { validationRows: Int32Array; tick?: () => void },
): LbfgsFit {
  let lastCorrect = 0;
  const curve: CurvePoint[] = [];
  const result = minimizeLbfgs(
    (theta, gradient) => {
      const evaluation = network.evaluate(theta, rows, loss, gradient);
      lastCorrect = evaluation.correct;
      return evaluation.loss;
    },
    start,
    {
      gradientTolerance: options.gradientTolerance,
      maxIterations: options.maxIterations,
      onIteration: record
        ? (iteration, value, step, theta) => {
            // The line search's last evaluation is the accepted point: its correct count is this iteration's.
            const validation = scoreRows(network, theta, record.validationRows, labels);
            record.tick?.();
            curve.push({
              step: iteration, learningRate: step, loss: value, trainAccuracy: lastCorrect / rows.length,
              validationLoss: Number.isNaN(validation.loss) ? null : validation.loss, validationAccuracy: Number.isNaN(validation.accuracy) ? null : validation.accuracy,
            });
          }
        : undefined,
    },
  );
  if (record && curve.length === 0) {
    // Converged at the start: one point describing it.
    const at = network.evaluate(result.x, rows, loss);
    const validation = scoreRows(network, result.x, record.validationRows, labels);
    curve.push({ step: 0, learningRate: 0, loss: at.loss, trainAccuracy: at.correct / rows.length, validationLoss: Number.isNaN(validation.loss) ? null : validation.loss, validationAccuracy: Number.isNaN(validation.accuracy) ? null : validation.accuracy });
  }
  const { iterations, gradientNorm, stop, evaluations } = result;
  return { theta: result.x, solver: { iterations, gradientNorm, stop, evaluations }, curve };
}
