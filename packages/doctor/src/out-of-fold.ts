import { BlockingWorkerPool, builtScript, sharedFloats, usefulWorkers } from '@graft/core/base';
import { defaultTrainingOptions, headProbabilities, pickRows, stratifiedFolds, trainHead, type LabelledFeatures, type TrainingOptions } from '@graft/train/head';

export interface OutOfFoldSettings {
  readonly classCount: number;
  readonly folds: number;
  readonly seed: number;
  /** L2 strength of every fold's fit ('auto': each fold chooses by its own cross-validation). */
  readonly l2: number | 'auto';
  readonly standardize: boolean;
  /** Called after each fold. */
  readonly onFold?: () => void;
}

/** What a fold worker needs: the rows and how to fit (see out-of-fold-worker.ts). */
export interface OutOfFoldSetup {
  readonly all: LabelledFeatures;
  readonly settings: Omit<OutOfFoldSettings, 'onFold'>;
}

/** One fold's held-out rows and their probabilities (rows × classes). */
export interface FoldProbabilities {
  readonly heldOut: Int32Array;
  readonly probabilities: Float32Array;
}

/**
 * Out-of-fold class probabilities (rows × classes, row-major): stratified k folds (seeded); each
 * fold's rows are scored by train's default head (standardized, L-BFGS) fitted on the other
 * folds. Every image is scored by a head that never saw it — what confident learning needs. The
 * folds are fitted on worker threads when there are cores to spare (the same heads, bit for bit).
 */
export function outOfFoldProbabilities(all: LabelledFeatures, settings: OutOfFoldSettings): Float32Array {
  const { classCount } = settings;
  const probabilities = new Float32Array(all.count * classCount);
  const folds = foldCount(all, settings);
  const place = (fold: FoldProbabilities) => {
    fold.heldOut.forEach((row, i) => probabilities.set(fold.probabilities.subarray(i * classCount, (i + 1) * classCount), row * classCount));
    settings.onFold?.();
  };
  const { onFold: _, ...plain } = settings;
  const setup: OutOfFoldSetup = { all, settings: plain };
  const workers = usefulWorkers(folds, all.count * all.dimension);
  const script = workers > 0 ? builtScript(import.meta.url, 'out-of-fold-worker.js') : undefined;
  if (!script) {
    const fit = foldFitter(setup);
    for (let fold = 0; fold < folds; fold++) place(fit(fold));
    return probabilities;
  }
  const pool = new BlockingWorkerPool<number, FoldProbabilities>(script, { ...setup, all: { ...all, features: sharedFloats(all.features) } }, workers);
  try {
    let next = 0;
    for (let done = 0; done < folds; done++) {
      while (next < folds && pool.idle > 0) pool.submit(next++);
      place(pool.next());
    }
  } finally {
    pool.close();
  }
  return probabilities;
}

function foldCount(all: LabelledFeatures, settings: Pick<OutOfFoldSettings, 'folds'>): number {
  return Math.max(2, Math.min(settings.folds, all.count));
}

/** Fits fold `fold`'s head on the other folds and scores its rows (here or in a worker). */
export function foldFitter(setup: OutOfFoldSetup): (fold: number) => FoldProbabilities {
  const { all, settings } = setup;
  const foldOf = stratifiedFolds(all.labels, settings.classCount, foldCount(all, settings), settings.seed);
  const options: TrainingOptions = {
    ...defaultTrainingOptions(), classCount: settings.classCount, optimizer: 'lbfgs', hiddenUnits: 0, standardize: settings.standardize,
    l2: settings.l2 === 'auto' ? 'auto' : String(settings.l2), seed: settings.seed,
  };
  const empty = pickRows(all, []);
  return (fold) => {
    const heldOut: number[] = [];
    const fitted: number[] = [];
    for (let row = 0; row < all.count; row++) (foldOf[row] === fold ? heldOut : fitted).push(row);
    if (heldOut.length === 0) return { heldOut: new Int32Array(0), probabilities: new Float32Array(0) };
    const { head } = trainHead(pickRows(all, fitted), empty, options);
    return { heldOut: Int32Array.from(heldOut), probabilities: headProbabilities(head, pickRows(all, heldOut).features) };
  };
}
