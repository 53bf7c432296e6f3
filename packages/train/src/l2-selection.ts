import { SeededRandom } from '@graft/core/base';
import type { FitProblem } from './fit-problem.js';
import { scoreRows } from './fit-problem.js';
import type { HeadNetwork, InputMap } from './head-network.js';
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
  settings: { folds: number; seed: number; standardize: boolean; classCount: number; fitter?: (folds: readonly CrossValidationFold[]) => FoldFitter | undefined },
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
  const folds = crossValidationFolds(problem, settings);
  const fitter = settings.fitter?.(folds) ?? inProcessFoldFitter(network, folds, problem.labels, fitAt);
  try {
    const results = crossValidationPath(strongestFirst, folds, fitter, tick);
    return { method, folds: folds.length, candidates: results, chosen: results[bestOf(results)]!.l2 };
  } finally {
    fitter.close?.();
  }
}

/** One fold of cross-validation: the rows it holds out, the rows it fits on, and the standardization of those. */
export interface CrossValidationFold {
  readonly heldOut: Int32Array;
  readonly fitRows: Int32Array;
  readonly map: InputMap;
}

/**
 * The folds of the original train + validation rows (stratified, seeded); distorted copies (train
 * rows past the originals) follow the fold of their original image and are never held out; each
 * fold is standardized with its own fit rows. Deterministic: fold workers rebuild the same folds.
 */
export function crossValidationFolds(problem: FitProblem, settings: { folds: number; seed: number; standardize: boolean; classCount: number }): CrossValidationFold[] {
  const { labels } = problem;
  const heldOutPool = Int32Array.from([...problem.trainRows.subarray(0, problem.originalCount), ...problem.validationRows]);
  const k = Math.max(2, Math.min(settings.folds, heldOutPool.length));
  const foldOfPool = stratifiedFolds(Int32Array.from(heldOutPool, (row) => labels[row]!), settings.classCount, k, settings.seed);
  const foldOfRow = new Map<number, number>();
  heldOutPool.forEach((row, i) => foldOfRow.set(row, foldOfPool[i]!));
  const copies = problem.trainRows.subarray(problem.originalCount);
  return Array.from({ length: k }, (_, fold) => {
    const heldOut = heldOutPool.filter((_, i) => foldOfPool[i] === fold);
    const fitRows = Int32Array.from([...heldOutPool.filter((_, i) => foldOfPool[i] !== fold), ...copies.filter((row) => foldOfRow.get(problem.copyOf(row)) !== fold)]);
    const scaling = settings.standardize ? problem.scaling(fitRows) : noScaling(problem.dimension);
    return { heldOut, fitRows, map: problem.inputMap(scaling) };
  });
}

/** Fit fold `fold` at strength `l2` (the `strength`-th strongest), from `start` (the fold's fit at the previous strength). */
export interface FoldTask {
  readonly fold: number;
  readonly strength: number;
  readonly l2: number;
  readonly start: Float64Array | undefined;
}

/** A fold's fit and how it scored on the fold's held-out rows. */
export interface FoldOutcome {
  readonly fold: number;
  readonly strength: number;
  readonly theta: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  readonly correct: number;
  readonly accuracy: number;
  readonly loss: number;
}

/** Runs fold fits: up to `capacity` at once; `finish` blocks until one of them is done. */
export interface FoldFitter {
  readonly capacity: number;
  start(task: FoldTask): void;
  finish(): FoldOutcome;
  close?(): void;
}

/** Fold fits one at a time on this thread. */
export function inProcessFoldFitter(network: HeadNetwork, folds: readonly CrossValidationFold[], labels: Int32Array, fitAt: FitAt): FoldFitter {
  const queued: FoldTask[] = [];
  return {
    capacity: 1,
    start: (task) => void queued.push(task),
    finish: () => runFoldTask(queued.shift()!, network, folds, labels, fitAt),
  };
}

/** Fit and score one fold task (on this thread, or in a fold worker). */
export function runFoldTask(task: FoldTask, network: HeadNetwork, folds: readonly CrossValidationFold[], labels: Int32Array, fitAt: FitAt): FoldOutcome {
  const fold = folds[task.fold]!;
  network.setInputMap(fold.map);
  const fit = fitAt(fold.fitRows, task.l2, task.start);
  const score = scoreRows(network, fit.theta, fold.heldOut, labels);
  return { fold: task.fold, strength: task.strength, theta: fit.theta, iterations: fit.iterations, converged: fit.converged, correct: score.correct, accuracy: score.accuracy, loss: score.loss };
}

/**
 * Walk the strengths strongest first over every fold, each fold warm-starting from its own fit at
 * the previous strength. A fold moves on to the next strength as soon as its fit is done (the
 * lowest strength, then the lowest fold, goes first), so `capacity` fits run at once with no
 * waiting for the slowest fold (but never more than one strength ahead of the lowest unfinished
 * one); a strength is scored once all its folds are in, summing in fold order — the same
 * candidates, bit for bit, whatever the capacity. Fits started past the point where the path stops
 * are abandoned.
 */
export function crossValidationPath(strongestFirst: readonly number[], folds: readonly CrossValidationFold[], fitter: FoldFitter, tick?: () => void): L2Candidate[] {
  const k = folds.length;
  const heldOutCount = folds.reduce((sum, fold) => sum + fold.heldOut.length, 0);
  const outcomes = strongestFirst.map(() => Array.from<FoldOutcome | undefined>({ length: k }));
  const nextStrength = new Int32Array(k);
  const startOf = Array.from<Float64Array | undefined>({ length: k });
  const running = new Set<number>();
  const results: L2Candidate[] = [];
  let limit = strongestFirst.length;
  const readyFold = () => {
    let best = -1;
    for (let fold = 0; fold < k; fold++) {
      // At most one strength ahead of the lowest unfinished one: what runs past the stopping point is wasted.
      if (running.has(fold) || nextStrength[fold]! >= limit || nextStrength[fold]! > results.length + 1) continue;
      if (best < 0 || nextStrength[fold]! < nextStrength[best]!) best = fold;
    }
    return best;
  };
  while (results.length < limit) {
    for (let fold = readyFold(); fold >= 0 && running.size < fitter.capacity; fold = readyFold()) {
      const strength = nextStrength[fold]!++;
      running.add(fold);
      fitter.start({ fold, strength, l2: strongestFirst[strength]!, start: startOf[fold] });
    }
    const outcome = fitter.finish();
    running.delete(outcome.fold);
    startOf[outcome.fold] = outcome.theta;
    outcomes[outcome.strength]![outcome.fold] = outcome;
    tick?.();
    while (results.length < limit && outcomes[results.length]!.every((done) => done !== undefined)) {
      results.push(scoreStrength(strongestFirst[results.length]!, outcomes[results.length] as FoldOutcome[], folds, heldOutCount));
      if (pastBest(results)) limit = results.length;
    }
  }
  return results;
}

/** A strength's candidate from its folds' outcomes (summed in fold order). */
function scoreStrength(l2: number, outcomes: readonly FoldOutcome[], folds: readonly CrossValidationFold[], heldOutCount: number): L2Candidate {
  let correct = 0;
  let logLoss = 0;
  let iterations = 0;
  let converged = true;
  for (const outcome of outcomes) {
    correct += outcome.correct;
    logLoss += outcome.loss * folds[outcome.fold]!.heldOut.length;
    iterations += outcome.iterations;
    converged &&= outcome.converged;
  }
  const k = outcomes.length;
  const accuracies = outcomes.map((outcome) => outcome.accuracy);
  const mean = accuracies.reduce((a, b) => a + b, 0) / k;
  const sd = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1));
  return { l2, accuracy: correct / heldOutCount, accuracySd: sd, logLoss: logLoss / heldOutCount, iterations: iterations / k, converged };
}
