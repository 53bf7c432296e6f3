import { SeededRandom } from '@graft/core';
import type { FitProblem } from './fit-problem.js';
import { scoreRows } from './fit-problem.js';
import type { HeadNetwork } from './head-network.js';
import { noScaling } from '@graft/linalg';

/** One L2 strength tried, and how it scored. */
export interface L2Candidate {
  readonly l2: number;
  /** Accuracy on the validation split, or pooled out-of-fold accuracy over the folds. */
  readonly accuracy: number;
  /** Standard deviation of the per-fold accuracies (null on the validation split). */
  readonly accuracySd: number | null;
  /** Mean cross-entropy on the held-out rows. */
  readonly logLoss: number;
  /** Mean optimizer iterations (or steps) per fit. */
  readonly iterations: number;
  /** Every fit met its stopping tolerance. */
  readonly converged: boolean;
}

export interface L2Selection {
  readonly method: 'validation' | 'cross-validation';
  /** Folds (1 for the validation split). */
  readonly folds: number;
  readonly candidates: L2Candidate[];
  readonly chosen: number;
}

/** Fit the head on `rows` (through the network's current input map) at one L2 strength, from `start` (undefined: the fit's own start). */
export type FitAt = (rows: Int32Array, l2: number, start: Float64Array | undefined) => { theta: Float64Array; iterations: number; converged: boolean };

/** Stratified folds of the labelled rows: each class's rows shuffled (seeded) and dealt round-robin. */
export function stratifiedFolds(labels: ArrayLike<number>, classCount: number, folds: number, seed: number): Int32Array {
  const foldOf = new Int32Array(labels.length);
  const random = new SeededRandom(seed);
  let dealt = 0;
  for (let c = 0; c < classCount; c++) {
    const members: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) members.push(i);
    // Continue the deal where the previous class stopped, so small classes do not all land in fold 0.
    for (const row of random.shuffle(members)) foldOf[row] = dealt++ % folds;
  }
  return foldOf;
}

/** Lower held-out log-loss wins (a proper scoring rule: smooth in the strength, unlike accuracy, which is flat and noisy on small data). */
const better = (a: L2Candidate, b: L2Candidate) => a.logLoss < b.logLoss;

/** Stop going down the strengths once this many in a row after the best scored worse (the weakest penalties are the slowest fits). */
export const PATH_PATIENCE = 2;
const bestOf = (results: readonly L2Candidate[]) => results.reduce((b, candidate, i) => (better(candidate, results[b]!) ? i : b), 0);
const pastBest = (results: readonly L2Candidate[]) => results.length - 1 - bestOf(results) >= PATH_PATIENCE;

/**
 * Choose the L2 strength: fit at the candidates, strongest first, each fit starting from the
 * previous one's solution, and score on held-out rows — the validation split, or k folds of train +
 * validation (distorted copies of an image stay in its fold and are never held out; each fold is
 * standardized with its own training rows). The lowest held-out log-loss wins (ties: the stronger
 * penalty); the path stops once PATH_PATIENCE strengths in a row scored worse than the best.
 */
export function selectL2(
  problem: FitProblem, network: HeadNetwork, candidates: readonly number[], method: 'validation' | 'cross-validation',
  settings: { folds: number; seed: number; standardize: boolean; classCount: number },
  fitAt: FitAt, tick?: () => void,
): L2Selection {
  const strongestFirst = [...candidates].sort((a, b) => b - a);
  const scalingOf = (rows: Int32Array) => (settings.standardize ? problem.scaling(rows) : noScaling(problem.dimension));
  const results: L2Candidate[] = [];
  if (method === 'validation') {
    const { trainRows, validationRows, labels } = problem;
    network.setInputMap(problem.inputMap(scalingOf(trainRows)));
    let start: Float64Array | undefined;
    for (const l2 of strongestFirst) {
      const fit = fitAt(trainRows, l2, start);
      start = fit.theta;
      const score = scoreRows(network, fit.theta, validationRows, labels);
      results.push({ l2, accuracy: score.accuracy, accuracySd: null, logLoss: score.loss, iterations: fit.iterations, converged: fit.converged });
      tick?.();
      if (pastBest(results)) break;
    }
    return { method, folds: 1, candidates: results, chosen: results[bestOf(results)]!.l2 };
  }
  // Cross-validation over the original train + validation rows; distorted copies (train rows past
  // the originals) follow the fold of their original image.
  const { labels } = problem;
  const heldOutPool = Int32Array.from([...problem.trainRows.subarray(0, problem.originalCount), ...problem.validationRows]);
  const k = Math.max(2, Math.min(settings.folds, heldOutPool.length));
  const foldOfPool = stratifiedFolds(Int32Array.from(heldOutPool, (row) => labels[row]!), settings.classCount, k, settings.seed);
  const foldOfRow = new Map<number, number>();
  heldOutPool.forEach((row, i) => foldOfRow.set(row, foldOfPool[i]!));
  const copies = problem.trainRows.subarray(problem.originalCount);
  const folds = Array.from({ length: k }, (_, fold) => {
    const heldOut = heldOutPool.filter((_, i) => foldOfPool[i] === fold);
    const fitRows = Int32Array.from([...heldOutPool.filter((_, i) => foldOfPool[i] !== fold), ...copies.filter((row) => foldOfRow.get(problem.copyOf(row)) !== fold)]);
    return { heldOut, fitRows, map: problem.inputMap(scalingOf(fitRows)), start: undefined as Float64Array | undefined };
  });
  for (const l2 of strongestFirst) {
    let correct = 0;
    let logLoss = 0;
    let iterations = 0;
    let converged = true;
    const accuracies: number[] = [];
    for (const fold of folds) {
      network.setInputMap(fold.map);
      const fit = fitAt(fold.fitRows, l2, fold.start);
      fold.start = fit.theta;
      const score = scoreRows(network, fit.theta, fold.heldOut, labels);
      correct += score.correct;
      logLoss += score.loss * fold.heldOut.length;
      iterations += fit.iterations;
      converged &&= fit.converged;
      accuracies.push(score.accuracy);
      tick?.();
    }
    const mean = accuracies.reduce((a, b) => a + b, 0) / k;
    const sd = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1));
    results.push({ l2, accuracy: correct / heldOutPool.length, accuracySd: sd, logLoss: logLoss / heldOutPool.length, iterations: iterations / k, converged });
    if (pastBest(results)) break;
  }
  return { method, folds: k, candidates: results, chosen: results[bestOf(results)]!.l2 };
}
