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

/**
 * Out-of-fold class probabilities (rows × classes, row-major): stratified k folds (seeded); each
 * fold's rows are scored by train's default head (standardized, L-BFGS) fitted on the other
 * folds. Every image is scored by a head that never saw it — what confident learning needs.
 */
export function outOfFoldProbabilities(all: LabelledFeatures, settings: OutOfFoldSettings): Float32Array {
  const { classCount } = settings;
  const probabilities = new Float32Array(all.count * classCount);
  const folds = Math.max(2, Math.min(settings.folds, all.count));
  const foldOf = stratifiedFolds(all.labels, classCount, folds, settings.seed);
  const options: TrainingOptions = {
    ...defaultTrainingOptions(), classCount, optimizer: 'lbfgs', hiddenUnits: 0, standardize: settings.standardize,
    l2: settings.l2 === 'auto' ? 'auto' : String(settings.l2), seed: settings.seed,
  };
  const empty = pickRows(all, []);
  for (let fold = 0; fold < folds; fold++) {
    const heldOut: number[] = [];
    const fitted: number[] = [];
    for (let row = 0; row < all.count; row++) (foldOf[row] === fold ? heldOut : fitted).push(row);
    if (heldOut.length === 0) continue;
    const { head } = trainHead(pickRows(all, fitted), empty, options);
    const scored = headProbabilities(head, pickRows(all, heldOut).features);
    heldOut.forEach((row, i) => probabilities.set(scored.subarray(i * classCount, (i + 1) * classCount), row * classCount));
    settings.onFold?.();
  }
  return probabilities;
}
