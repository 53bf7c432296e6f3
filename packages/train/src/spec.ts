import { defineStage, inputFrom } from '@graft/core';
import { splitStage } from '@graft/split';
import { extractStage } from '@graft/extract';

/** train: a new softmax layer on the cached train-split bottlenecks (retrain.py's final layer). */
export const trainStage = defineStage({
  name: 'train',
  package: '@graft/train',
  description: 'Train a new softmax classification layer on the train-split bottleneck features, reporting validation accuracy as it goes.',
  readsDataset: false,
  inputs: { bottlenecks: inputFrom(extractStage, 'bottlenecks'), classes: inputFrom(splitStage, 'classes') },
  outputs: {
    head: { file: 'head.parquet', schema: 'graft.head/1', description: 'One row per class: class index, name, weight vector and bias of the softmax layer.' },
    metrics: { file: 'metrics.parquet', schema: 'graft.metrics/1', description: 'Training curve: step, loss, train accuracy, validation loss and accuracy.' },
    model: { file: 'model/model.json', description: 'The head as a tfjs LayersModel: features in, class probabilities out.' },
    modelWeights: { file: 'model/weights.bin', description: 'Weights of the tfjs head model.' },
    labels: { file: 'labels.txt', description: 'Class names, one per line, in class-index order (as retrain.py\'s output_labels.txt).' },
  },
  params: {
    steps: { type: 'integer', default: 4000, min: 1, max: 10_000_000, description: 'Training steps (batches).' },
    batchSize: { type: 'integer', default: 100, min: 1, max: 100_000, description: 'Training images per step.' },
    learningRate: { type: 'number', default: 0.01, min: 1e-8, max: 100, description: 'Learning rate.' },
    optimizer: { type: 'string', default: 'sgd', choices: ['sgd', 'adam'], description: 'Optimizer.' },
    sampling: { type: 'string', default: 'balanced', choices: ['balanced', 'uniform'], description: 'How steps draw images: balanced = random class, then random image (retrain.py); uniform = random image.' },
    evalEvery: { type: 'integer', default: 100, min: 1, max: 10_000_000, description: 'Record loss and accuracies every this many steps.' },
    seed: { type: 'integer', default: 42, min: 0, max: 2 ** 31 - 1, description: 'Seed of weight initialisation and batch sampling.' },
  },
});
