import { defineStage, inputFrom } from '@graft/core';
import { extractStage } from '@graft/extract';
import { trainStage } from '@graft/train';
import { similarityStage } from '@graft/similarity';
import { adaptStage } from '@graft/adapt';

/** evaluate: the trained head on the held-out test split, with an honest accuracy. */
export const evaluateStage = defineStage({
  name: 'evaluate',
  package: '@graft/evaluate',
  description: 'Run the trained head on the test-split bottlenecks: accuracy, per-class precision / recall / F1, confusion matrix, mistakes.',
  readsDataset: false,
  inputs: {
    bottlenecks: inputFrom(extractStage, 'bottlenecks'),
    model: inputFrom(trainStage, 'model'),
    modelWeights: inputFrom(trainStage, 'modelWeights'),
    labels: inputFrom(trainStage, 'labels'),
    // Domain adaptation (--target): read when present.
    similarity: inputFrom(similarityStage, 'summary', { optional: true }),
    adaptPredictions: inputFrom(adaptStage, 'predictions', { optional: true }),
    adaptMethods: inputFrom(adaptStage, 'methods', { optional: true }),
  },
  outputs: {
    report: { file: 'report.json', description: 'Test accuracy, per-class precision / recall / F1, confusion matrix and misclassified test images; with a target domain, target test accuracy per adaptation method.' },
    predictions: { file: 'predictions.parquet', schema: 'graft.predictions/1', description: 'Prediction for every image of every split: predicted class, confidence, class probabilities.' },
  },
  params: {
    split: { type: 'string', default: 'test', choices: ['test', 'validation', 'train'], description: 'Split the headline accuracy is computed on.' },
  },
});
