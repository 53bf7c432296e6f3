import { ParamError, SeededRandom, type ParamValues } from '@graft/core';
import type { LabelledFeatures } from './features.js';
import { DEFAULT_LEARNING_RATES, L2_GRID, trainStage } from './spec.js';
import type { HiddenActivation, TrainedHead } from './head.js';
import type { HeadShape, LossSettings } from './head-network.js';
import { FitProblem } from './fit-problem.js';
import { classWeights } from './batch-sampler.js';
import { featureScaling, noScaling, type FeatureScaling } from '@graft/linalg';
import { foldScaling } from './standardization.js';
import { headFromParameters } from './head-parameters.js';
import { lbfgsFitAt, lbfgsStart, parallelFoldFitter, type FoldFitSetup } from './fold-fitting.js';
import { fitLbfgs } from './lbfgs-fit.js';
import { fitSteps } from './step-fit.js';
import { PATH_PATIENCE, selectL2, type L2Selection } from './l2-selection.js';
import type { StepOptimizerName } from './step-optimizers.js';

/** Everything that shapes one training run: the train params (but the sweep) and the class count. */
export type TrainingOptions = Omit<ParamValues<typeof trainStage>, 'sweep'> & { readonly classCount: number };

/** The train stage's defaults — the head users get — as the options of one fit (without the class count). */
export function defaultTrainingOptions(): Omit<TrainingOptions, 'classCount'> {
  const entries = Object.entries(trainStage.params).filter(([name]) => name !== 'sweep').map(([name, param]) => [name, param.default]);
  return Object.fromEntries(entries) as unknown as Omit<TrainingOptions, 'classCount'>;
}

/** One point of the training curve. */
export interface CurvePoint {
  /** Mini-batch step, or L-BFGS iteration. */
  readonly step: number;
  /** Learning rate of this step (step optimizers), or the line search's step length (L-BFGS). */
  readonly learningRate: number;
  /** Training objective: on this step's batch (step optimizers) or all training rows (L-BFGS); cross-entropy with label smoothing and class weights, plus the L2 penalty. */
  readonly loss: number;
  /** Accuracy on this step's batch before the step, or on all training rows (L-BFGS). */
  readonly trainAccuracy: number;
  /** Plain cross-entropy on the validation split. */
  readonly validationLoss: number | null;
  readonly validationAccuracy: number | null;
}

/** What the L-BFGS solver did in the final fit. */
export interface SolverReport {
  readonly iterations: number;
  /** Loss and gradient evaluations (iterations plus line-search trials). */
  readonly evaluations: number;
  /** Largest absolute gradient component at the end. */
  readonly gradientNorm: number;
  readonly stop: 'converged' | 'max-iterations' | 'no-progress';
}

export interface TrainingResult {
  /** The head on raw features (standardization folded into its first layer). */
  readonly head: TrainedHead;
  /** The same head on standardized features, and the standardization (identity with standardize false). */
  readonly standardizedHead: TrainedHead;
  readonly scaling: FeatureScaling;
  readonly curve: CurvePoint[];
  /** The curve point whose weights the head holds (the last one, or the best one with early stopping). */
  readonly kept: CurvePoint;
  /** Steps (or L-BFGS iterations) actually run. */
  readonly stepsRun: number;
  /** The optimizer that ran (`auto` resolved). */
  readonly optimizer: Exclude<TrainingOptions['optimizer'], 'auto'>;
  /** The L2 strength of the head. */
  readonly l2: number;
  /** The learning rate of the step optimizers (`auto` resolved; null for L-BFGS). */
  readonly learningRate: number | null;
  /** How it was chosen, when --l2 offered several. */
  readonly selection: L2Selection | null;
  readonly solver: SolverReport | null;
}

/** Counts work done (fits, iterations, steps); a Progress fits. */
export interface TrainingProgress {
  /** `total` undefined: not known in advance. */
  start(label: string, total: number | undefined): { tick(n?: number): void; finish(note?: string): void };
}

/** `auto` → lbfgs for a softmax layer alone, adam after a hidden layer. */
export function resolveOptimizer(options: Pick<TrainingOptions, 'optimizer' | 'hiddenUnits'>): TrainingResult['optimizer'] {
  if (options.optimizer !== 'auto') return options.optimizer as TrainingResult['optimizer'];
  return options.hiddenUnits > 0 ? 'adam' : 'lbfgs';
}

/** The L2 strengths to choose from: `auto` is the grid for L-BFGS and 0 (retrain.py) for the step optimizers. */
export function l2Candidates(l2: string, optimizer: TrainingResult['optimizer']): number[] {
  if (l2 === 'auto') return optimizer === 'lbfgs' ? [...L2_GRID] : [0];
  return [...new Set(l2.split(',').map(Number))];
}

/** The learning rate of a step optimizer: `auto` is its usual default. */
export function resolveLearningRate(learningRate: string, optimizer: StepOptimizerName): number {
  return learningRate === 'auto' ? DEFAULT_LEARNING_RATES[optimizer] : Number(learningRate);
}

/** Held-out rows for choosing the L2 strength: `auto` = cross-validation unless the validation split has this many rows. */
export const VALIDATION_SELECTION_MIN_ROWS = 1000;

/**
 * Train a head on `train` (`originalCount` images, then their distorted copies), watching
 * `validation`. Features are standardized with the training rows' statistics (unless
 * `standardize` is false) and the standardization is folded into the returned head. L-BFGS fits to
 * convergence, the step optimizers run --steps mini-batches; with several L2 strengths the best is
 * chosen on held-out rows first. Deterministic for a seed.
 */
export function trainHead(train: LabelledFeatures, validation: LabelledFeatures, options: TrainingOptions, progress?: TrainingProgress, originalCount = train.count): TrainingResult {
  const optimizer = resolveOptimizer(options);
  if (optimizer === 'lbfgs') {
    const stepOnly = [['dropout', options.dropout > 0], ['early-stopping-patience', options.earlyStoppingPatience > 0]].filter(([, set]) => set).map(([flag]) => `--${flag}`);
    if (stepOnly.length > 0) throw new ParamError(`train ${stepOnly.join(' and ')} ${stepOnly.length > 1 ? 'work' : 'works'} with the step optimizers; L-BFGS (${options.optimizer === 'auto' ? 'the default for a softmax layer' : '--optimizer lbfgs'}) fits all rows at once: add --optimizer adam (or sgd, momentum)`);
  }
  const candidates = l2Candidates(options.l2, optimizer);
  const shape: HeadShape = { featureDim: train.dimension, hiddenUnits: options.hiddenUnits, activation: options.hiddenActivation as HiddenActivation, classCount: options.classCount };
  const problem = new FitProblem(train, validation, originalCount);
  const weights = classWeights(train.labels, options.classCount, options.classWeights);
  const loss = (l2: number): LossSettings => ({ l2, labelSmoothing: options.labelSmoothing, classWeights: weights });
  const lbfgs = optimizer === 'lbfgs';
  const lbfgsOptions = { maxIterations: options.maxIterations, gradientTolerance: options.gradientTolerance };
  const maxRows = lbfgs ? train.count + validation.count : Math.max(options.batchSize, 1024);
  const network = problem.network(shape, maxRows);
  const stepOptions = { ...options, optimizer: optimizer as StepOptimizerName, learningRate: lbfgs ? 0 : resolveLearningRate(options.learningRate, optimizer as StepOptimizerName) };

  let selection: L2Selection | null = null;
  let l2 = candidates[0]!;
  if (candidates.length > 1) {
    const method = options.l2Selection === 'auto' ? (validation.count >= VALIDATION_SELECTION_MIN_ROWS ? 'validation' : 'cross-validation') : (options.l2Selection as L2Selection['method']);
    if (method === 'validation' && validation.count === 0) throw new ParamError('train --l2-selection validation needs validation images, but the validation split is empty: use --l2-selection cross-validation or raise split --validation-percent');
    const folds = method === 'validation' ? 1 : Math.min(options.cvFolds, originalCount + validation.count);
    const bar = progress?.start(`train: choosing l2 (${method === 'validation' ? 'validation split' : `${folds}-fold cross-validation`}), fits`, candidates.length * folds);
    const foldSettings = { folds, seed: options.seed, standardize: options.standardize, classCount: options.classCount };
    // L-BFGS fold fits run on worker threads when they pay (the same fits, bit for bit: fold-fitting.ts).
    const setup: FoldFitSetup = { train, validation, originalCount, shape, maxRows, folds: foldSettings, labelSmoothing: options.labelSmoothing, classWeights: weights, lbfgs: lbfgsOptions, seed: options.seed };
    const lbfgsFit = lbfgsFitAt(setup, problem, network);
    selection = selectL2(problem, network, candidates, method, { ...foldSettings, fitter: lbfgs ? parallelFoldFitter(setup) : undefined }, (rows, strength, start) => {
      if (lbfgs) return lbfgsFit(rows, strength, start);
      const fit = fitSteps(network, problem.labels, rows, new Int32Array(0), loss(strength), { ...stepOptions, earlyStoppingPatience: 0 });
      return { theta: fit.theta, iterations: fit.stepsRun, converged: true };
    }, () => bar?.tick());
    const tried = selection.candidates.length;
    bar?.finish(tried < candidates.length ? `${tried} of ${candidates.length} strengths tried: the rest are weaker than ${PATH_PATIENCE} that already scored worse than the best` : '');
    l2 = selection.chosen;
  }

  const scaling = options.standardize ? featureScaling(train.features, train.dimension, problem.trainRows) : noScaling(problem.dimension);
  network.setInputMap(problem.inputMap(scaling));
  let theta: Float64Array;
  let curve: CurvePoint[];
  let kept: CurvePoint;
  let stepsRun: number;
  let solver: SolverReport | null = null;
  if (lbfgs) {
    const bar = progress?.start('train: L-BFGS iterations', undefined);
    const fit = fitLbfgs(network, problem.labels, problem.trainRows, loss(l2), lbfgsStart({ shape, seed: options.seed }, network), lbfgsOptions, { validationRows: problem.validationRows, tick: () => bar?.tick() });
    bar?.finish();
    theta = fit.theta;
    curve = fit.curve;
    kept = curve.at(-1)!;
    stepsRun = fit.solver.iterations;
    solver = { iterations: fit.solver.iterations, evaluations: fit.solver.evaluations, gradientNorm: fit.solver.gradientNorm, stop: fit.solver.stop };
  } else {
    const bar = progress?.start('train: steps', options.steps);
    const fit = fitSteps(network, problem.labels, problem.trainRows, problem.validationRows, loss(l2), stepOptions, () => bar?.tick());
    bar?.finish();
    ({ theta, curve, kept, stepsRun } = fit);
  }
  const standardizedHead = headFromParameters(theta, shape);
  return { head: foldScaling(standardizedHead, scaling), standardizedHead, scaling, curve, kept, stepsRun, optimizer, l2, learningRate: lbfgs ? null : stepOptions.learningRate, selection, solver };
}
