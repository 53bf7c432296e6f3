import { defineStage, inputFrom } from '@graft/core/base';
import { splitStage } from '@graft/split/spec';
import { extractStage } from '@graft/extract/spec';

/** Activations the optional hidden layer may use (tfjs layer activation names). */
export const HIDDEN_ACTIVATIONS = ['relu', 'elu', 'tanh', 'sigmoid'] as const;

/** Optimizers: full-batch L-BFGS, or mini-batch steps; `auto` picks by the head's shape. */
export const OPTIMIZERS = ['auto', 'lbfgs', 'sgd', 'momentum', 'adam'] as const;

/** L2 strengths `--l2 auto` chooses from with L-BFGS: 1e-6 … 1 in half-decades. */
export const L2_GRID = Object.freeze(Array.from({ length: 13 }, (_, i) => Number((10 ** (-6 + i / 2)).toPrecision(2))));

/** A number ≥ 0 in plain or exponent notation. */
const L2_VALUE = String.raw`(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
/** A number > 0 (the same notation, not zero). */
const POSITIVE = String.raw`(?!0*\.?0*(?:[eE][-+]?\d+)?$)${L2_VALUE}`;

/** `--learning-rate auto` per step optimizer: retrain.py's 0.01 for SGD (and momentum), Kingma & Ba's 0.001 for Adam. */
export const DEFAULT_LEARNING_RATES = Object.freeze({ sgd: 0.01, momentum: 0.01, adam: 0.001 });

/**
 * train: a new classification head on the cached train-split bottlenecks. The defaults are
 * retrain.py's final layer: one softmax layer, SGD, learning rate 0.01, 4000 steps of 100 images.
 */
export const trainStage = defineStage({
  name: 'train',
  package: '@graft/train',
  description: 'Train a new classification head (softmax layer, optionally after one hidden layer) on the train-split bottleneck features: standardized, fitted to convergence by L-BFGS with the L2 strength chosen by cross-validation (or retrain.py\'s SGD steps), reporting validation accuracy.',
  readsDataset: false,
  inputs: { bottlenecks: inputFrom(extractStage, 'bottlenecks'), augmented: inputFrom(extractStage, 'augmented'), classes: inputFrom(splitStage, 'classes') },
  outputs: {
    head: { file: 'head.parquet', schema: 'graft.head/1', description: 'One row per class: class index, name, weight vector and bias of the final softmax layer, as applied to raw features (standardization folded in).' },
    metrics: { file: 'metrics.parquet', schema: 'graft.metrics/2', description: 'Training curves of every run (one run, or one per sweep setting): run, settings, chosen, step (L-BFGS iteration or mini-batch step), learning rate (line-search step for L-BFGS), loss, train accuracy, validation loss and accuracy.' },
    selection: { file: 'selection.parquet', schema: 'graft.selection/1', description: 'The L2 strengths tried (per run): method (validation or cross-validation), folds, accuracy (mean and sd over folds), log-loss, iterations, converged, chosen. Empty when --l2 is one value.' },
    standardization: { file: 'standardization.parquet', schema: 'graft.standardization/1', description: 'Per feature dimension: mean and scale (standard deviation) of the training rows the head was standardized with; mean 0 and scale 1 with --standardize false.' },
    model: { file: 'model/model.json', description: 'The head as a tfjs LayersModel: raw features in, class probabilities out (standardization folded into the first layer).' },
    modelWeights: { file: 'model/weights.bin', description: 'Weights of the tfjs head model.' },
    labels: { file: 'labels.txt', description: 'Class names, one per line, in class-index order (as retrain.py\'s output_labels.txt).' },
  },
  params: {
    standardize: { type: 'boolean', default: true, description: 'Standardize each feature dimension with the mean and standard deviation of the training rows (augmented copies included) before the head; folded into the saved head\'s first layer, which then takes raw features. false = raw features (retrain.py).' },
    optimizer: { type: 'string', default: 'auto', choices: [...OPTIMIZERS], description: 'lbfgs = full-batch L-BFGS to convergence (deterministic; see --l2); sgd (retrain.py), momentum, adam = --steps mini-batch steps; auto = lbfgs for a softmax layer alone, adam after a hidden layer.' },
    l2: {
      type: 'string', default: 'auto', pattern: new RegExp(`^(?:auto|${L2_VALUE}(?:,${L2_VALUE})*)$`), expected: 'auto, a number ≥ 0 or a comma-separated list of them',
      description: `L2 penalty: this × the sum of squared kernel weights is added to the mean loss. A number; a comma-separated list to choose from (see --l2-selection); auto = choose from ${L2_GRID[0]!.toExponential()} … ${L2_GRID.at(-1)} in half-decades with lbfgs, 0 with the step optimizers (retrain.py).`,
    },
    l2Selection: { type: 'string', default: 'auto', choices: ['auto', 'validation', 'cross-validation'], description: 'How the L2 strength is chosen from a list: lowest log-loss on the validation split, or in stratified k-fold cross-validation (--cv-folds) over train + validation; auto = cross-validation unless the validation split has 1000 images or more.' },
    cvFolds: { type: 'integer', default: 5, min: 2, max: 20, description: 'Folds of --l2-selection cross-validation.' },
    maxIterations: { type: 'integer', default: 1000, min: 1, max: 1_000_000, description: 'L-BFGS iterations at most (per fit).' },
    gradientTolerance: { type: 'number', default: 1e-4, min: 1e-12, max: 1, description: 'L-BFGS stops when no gradient component of the (mean) loss exceeds this (scikit-learn\'s tol).' },
    steps: { type: 'integer', default: 4000, min: 1, max: 10_000_000, description: 'Mini-batch steps (sgd, momentum, adam).' },
    batchSize: { type: 'integer', default: 100, min: 1, max: 100_000, description: 'Training images per step (sgd, momentum, adam).' },
    learningRate: {
      type: 'string', default: 'auto', pattern: new RegExp(`^(?:auto|${POSITIVE})$`), expected: 'auto or a number > 0',
      description: `Learning rate of the step optimizers (at the start, when a schedule is set); auto = ${DEFAULT_LEARNING_RATES.sgd} for sgd and momentum (retrain.py), ${DEFAULT_LEARNING_RATES.adam} for adam.`,
    },
    momentum: { type: 'number', default: 0.9, min: 0, max: 0.999, description: 'Momentum of --optimizer momentum.' },
    learningRateSchedule: { type: 'string', default: 'constant', choices: ['constant', 'cosine', 'step'], description: 'Learning rate over the steps: constant, cosine decay to 0, or step decay (× --learning-rate-decay-factor every --learning-rate-decay-steps).' },
    learningRateDecaySteps: { type: 'integer', default: 1000, min: 1, max: 10_000_000, description: 'Steps between decays of --learning-rate-schedule step.' },
    learningRateDecayFactor: { type: 'number', default: 0.1, min: 0, max: 1, description: 'Factor of each decay of --learning-rate-schedule step.' },
    hiddenUnits: { type: 'integer', default: 0, min: 0, max: 65_536, description: 'Units of a hidden layer between the features and the softmax layer; 0 = none (retrain.py).' },
    hiddenActivation: { type: 'string', default: 'relu', choices: [...HIDDEN_ACTIVATIONS], description: 'Activation of the hidden layer.' },
    dropout: { type: 'number', default: 0, min: 0, max: 0.95, description: 'Dropout rate on the input of the softmax layer during training (features, or hidden activations; step optimizers only).' },
    labelSmoothing: { type: 'number', default: 0, min: 0, max: 0.99, description: 'Label smoothing of the training loss.' },
    sampling: { type: 'string', default: 'balanced', choices: ['balanced', 'uniform'], description: 'How steps draw images: balanced = random class, then random image (retrain.py); uniform = random image.' },
    classWeights: { type: 'string', default: 'none', choices: ['none', 'balanced'], description: 'Loss weight per class: none, or balanced = images / (classes × images of the class) (with lbfgs, or --sampling uniform).' },
    earlyStoppingPatience: { type: 'integer', default: 0, min: 0, max: 1_000_000, description: 'Step optimizers: stop when validation loss has not improved for this many evaluations (every --eval-every steps) and keep the best weights; 0 = off.' },
    evalEvery: { type: 'integer', default: 100, min: 1, max: 10_000_000, description: 'Step optimizers: record loss and accuracies every this many steps (L-BFGS records every iteration).' },
    seed: { type: 'integer', default: 42, min: 0, max: 2 ** 31 - 1, description: 'Seed of weight initialisation, batch sampling, dropout and the cross-validation folds.' },
    sweep: {
      type: 'string', default: '', multiple: true,
      description: 'Grid of train params to try, e.g. `lr=0.001,0.01,0.1 hidden=0,256` (any train param by its flag name; lr, hidden, patience are short names); the run with the best validation accuracy is kept.',
    },
  },
});
