import { defineStage, inputFrom } from '@graft/core';
import { splitStage } from '@graft/split';
import { extractStage } from '@graft/extract';

/** Activations the optional hidden layer may use (tfjs layer activation names). */
export const HIDDEN_ACTIVATIONS = ['relu', 'elu', 'tanh', 'sigmoid'] as const;

/**
 * train: a new classification head on the cached train-split bottlenecks. The defaults are
 * retrain.py's final layer: one softmax layer, SGD, learning rate 0.01, 4000 steps of 100 images.
 */
export const trainStage = defineStage({
  name: 'train',
  package: '@graft/train',
  description: 'Train a new classification head (softmax layer, optionally after one hidden layer) on the train-split bottleneck features, reporting validation accuracy as it goes.',
  readsDataset: false,
  inputs: { bottlenecks: inputFrom(extractStage, 'bottlenecks'), augmented: inputFrom(extractStage, 'augmented'), classes: inputFrom(splitStage, 'classes') },
  outputs: {
    head: { file: 'head.parquet', schema: 'graft.head/1', description: 'One row per class: class index, name, weight vector and bias of the final softmax layer.' },
    metrics: { file: 'metrics.parquet', schema: 'graft.metrics/2', description: 'Training curves of every run (one run, or one per sweep setting): run, settings, chosen, step, learning rate, loss, train accuracy, validation loss and accuracy.' },
    model: { file: 'model/model.json', description: 'The head as a tfjs LayersModel: features in, class probabilities out.' },
    modelWeights: { file: 'model/weights.bin', description: 'Weights of the tfjs head model.' },
    labels: { file: 'labels.txt', description: 'Class names, one per line, in class-index order (as retrain.py\'s output_labels.txt).' },
  },
  params: {
    steps: { type: 'integer', default: 4000, min: 1, max: 10_000_000, description: 'Training steps (batches).' },
    batchSize: { type: 'integer', default: 100, min: 1, max: 100_000, description: 'Training images per step.' },
    learningRate: { type: 'number', default: 0.01, min: 1e-8, max: 100, description: 'Learning rate (at the start, when a schedule is set).' },
    optimizer: { type: 'string', default: 'sgd', choices: ['sgd', 'momentum', 'adam'], description: 'Optimizer: plain SGD (retrain.py), SGD with --momentum, or Adam.' },
    momentum: { type: 'number', default: 0.9, min: 0, max: 0.999, description: 'Momentum of --optimizer momentum.' },
    learningRateSchedule: { type: 'string', default: 'constant', choices: ['constant', 'cosine', 'step'], description: 'Learning rate over the steps: constant, cosine decay to 0, or step decay (× --learning-rate-decay-factor every --learning-rate-decay-steps).' },
    learningRateDecaySteps: { type: 'integer', default: 1000, min: 1, max: 10_000_000, description: 'Steps between decays of --learning-rate-schedule step.' },
    learningRateDecayFactor: { type: 'number', default: 0.1, min: 0, max: 1, description: 'Factor of each decay of --learning-rate-schedule step.' },
    hiddenUnits: { type: 'integer', default: 0, min: 0, max: 65_536, description: 'Units of a hidden layer between the features and the softmax layer; 0 = none (retrain.py).' },
    hiddenActivation: { type: 'string', default: 'relu', choices: [...HIDDEN_ACTIVATIONS], description: 'Activation of the hidden layer.' },
    dropout: { type: 'number', default: 0, min: 0, max: 0.95, description: 'Dropout rate on the input of the softmax layer during training (features, or hidden activations).' },
    l2: { type: 'number', default: 0, min: 0, max: 100, description: 'L2 penalty: this × sum of squared kernel weights is added to the loss.' },
    labelSmoothing: { type: 'number', default: 0, min: 0, max: 0.99, description: 'Label smoothing of the training loss.' },
    sampling: { type: 'string', default: 'balanced', choices: ['balanced', 'uniform'], description: 'How steps draw images: balanced = random class, then random image (retrain.py); uniform = random image.' },
    classWeights: { type: 'string', default: 'none', choices: ['none', 'balanced'], description: 'Loss weight per class: none, or balanced = images / (classes × images of the class) (use with --sampling uniform).' },
    earlyStoppingPatience: { type: 'integer', default: 0, min: 0, max: 1_000_000, description: 'Stop when validation loss has not improved for this many evaluations (every --eval-every steps) and keep the best weights; 0 = off.' },
    evalEvery: { type: 'integer', default: 100, min: 1, max: 10_000_000, description: 'Record loss and accuracies every this many steps.' },
    seed: { type: 'integer', default: 42, min: 0, max: 2 ** 31 - 1, description: 'Seed of weight initialisation, batch sampling and dropout.' },
    sweep: {
      type: 'string', default: '', multiple: true,
      description: 'Grid of train params to try, e.g. `lr=0.001,0.01,0.1 hidden=0,256` (any train param by its flag name; lr, hidden, patience are short names); the run with the best validation accuracy is kept.',
    },
  },
});
