import { BlockingWorkerPool, SeededRandom, builtScript, sharedFloats, usefulWorkers } from '@graft/core/base';
import type { LabelledFeatures } from './features.js';
import type { FitProblem } from './fit-problem.js';
import type { HeadNetwork, HeadShape } from './head-network.js';
import { initialParameters } from './head-parameters.js';
import { fitLbfgs, type LbfgsFitOptions } from './lbfgs-fit.js';
import type { CrossValidationFold, FitAt, FoldFitter, FoldOutcome, FoldTask } from './l2-selection.js';

/** Everything a fold worker needs to rebuild the fit problem, its folds and the L-BFGS fits exactly as trainHead does. */
export interface FoldFitSetup {
  readonly train: LabelledFeatures;
  readonly validation: LabelledFeatures;
  readonly originalCount: number;
  readonly shape: HeadShape;
  readonly maxRows: number;
  readonly folds: { readonly folds: number; readonly seed: number; readonly standardize: boolean; readonly classCount: number };
  readonly labelSmoothing: number;
  readonly classWeights: Float32Array;
  readonly lbfgs: LbfgsFitOptions;
  readonly seed: number;
}

/** Where L-BFGS starts: zeros for a softmax layer, seeded initial weights with a hidden layer. */
export function lbfgsStart(setup: Pick<FoldFitSetup, 'shape' | 'seed'>, network: HeadNetwork): Float64Array {
  return setup.shape.hiddenUnits > 0 ? initialParameters(setup.shape, new SeededRandom(setup.seed)) : new Float64Array(network.layout.size);
}

/** The L-BFGS fit of a set of rows at one strength, as every selection fit runs it (here or in a worker). */
export function lbfgsFitAt(setup: FoldFitSetup, problem: FitProblem, network: HeadNetwork): FitAt {
  return (rows, l2, start) => {
    const fit = fitLbfgs(network, problem.labels, rows, { l2, labelSmoothing: setup.labelSmoothing, classWeights: setup.classWeights }, start ?? lbfgsStart(setup, network), setup.lbfgs);
    return { theta: fit.theta, iterations: fit.solver.iterations, converged: fit.solver.stop === 'converged' };
  };
}

/** Fold workers for this fit (see usefulWorkers). */
export function foldWorkerCount(setup: FoldFitSetup, folds: number): number {
  return usefulWorkers(folds, (setup.train.count + setup.validation.count) * setup.train.dimension);
}

/** Fold fits on `workers` worker threads (each rebuilds the problem from `setup`); undefined when the worker script is not built. */
export function workerFoldFitter(setup: FoldFitSetup, workers: number): FoldFitter | undefined {
  const script = builtScript(import.meta.url, 'fold-worker.js');
  if (!script || workers < 1) return undefined;
  const shared: FoldFitSetup = { ...setup, train: { ...setup.train, features: sharedFloats(setup.train.features) }, validation: { ...setup.validation, features: sharedFloats(setup.validation.features) } };
  const pool = new BlockingWorkerPool<FoldTask, FoldOutcome>(script, shared, workers);
  return {
    capacity: workers,
    start: (task) => pool.submit(task),
    finish: () => pool.next(),
    close: () => pool.close(),
  };
}

/** The fitter `selectL2` should use for these folds: workers when they pay, else undefined (this thread). */
export function parallelFoldFitter(setup: FoldFitSetup): (folds: readonly CrossValidationFold[]) => FoldFitter | undefined {
  return (folds) => workerFoldFitter(setup, foldWorkerCount(setup, folds.length));
}
