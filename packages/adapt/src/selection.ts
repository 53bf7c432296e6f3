import { SeededRandom } from '@graft/core';
import { tf } from '@graft/tf';
import { fitOnGram, linearKernel, scoresOnGram, sample, stack, subsample, columnMoments, standardise } from '@graft/similarity';
import type { DomainData, LabelledSet } from './domain-data.js';
import type { SelectionMethod } from './selection-methods.js';
import { argmax } from './diagnostics.js';

export { SELECTION_METHODS, type SelectionMethod } from './selection-methods.js';

/** A model whose class probabilities the scores read: an adapt network, or train's head wrapped alike. */
export interface Classifier {
  infer(features: Float32Array, count: number): { probabilities: Float32Array };
}

/** Higher is better. */
export type SelectionScore = (network: Classifier) => number;

function accuracyAndLosses(probabilities: Float32Array, labels: Int32Array, classCount: number): { correct: Uint8Array; losses: Float64Array } {
  const correct = new Uint8Array(labels.length);
  const losses = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    correct[i] = argmax(probabilities, i * classCount, classCount) === labels[i] ? 1 : 0;
    losses[i] = -Math.log(Math.max(1e-12, probabilities[i * classCount + labels[i]!]!));
  }
  return { correct, losses };
}

/** Source validation accuracy (ties broken by lower validation loss). */
function sourceValidation(data: DomainData): SelectionScore {
  const { sourceValidation: validation, classCount } = data;
  return (network) => {
    const { correct, losses } = accuracyAndLosses(network.infer(validation.features, validation.count).probabilities, validation.labels, classCount);
    const accuracy = correct.reduce((a, b) => a + b, 0) / validation.count;
    return accuracy - 1e-6 * (losses.reduce((a, b) => a + b, 0) / validation.count);
  };
}

/** At most this many images per domain train the density-ratio domain classifier. */
const DOMAIN_CLASSIFIER_IMAGES = 1000;
/** Importance weights are clipped here (after normalising to mean 1) to bound the estimator's variance. */
const MAX_IMPORTANCE_WEIGHT = 10;

/**
 * Importance weights p_t(x) / p_s(x) of the source validation rows: a logistic-regression domain
 * classifier (source vs target, standardised input features) gives the odds, scaled by the domain
 * sizes, normalised to mean 1 and clipped.
 */
export function importanceWeights(data: DomainData, seed: number): Float64Array {
  const random = new SeededRandom(seed);
  const d = data.dimension;
  const source = subsample(sample(data.sourceTrain.features, d), DOMAIN_CLASSIFIER_IMAGES, random);
  const target = subsample(sample(data.target.features, d), DOMAIN_CLASSIFIER_IMAGES, random);
  const validation = sample(data.sourceValidation.features, d);
  const pooled = stack(stack(source, target), validation);
  const trainingRows = source.count + target.count;
  const standardised = standardise(pooled, columnMoments(stack(source, target)));
  const gram = linearKernel(standardised);
  const labels = new Uint8Array(pooled.count);
  labels.fill(1, source.count, trainingRows); // 1 = target
  const classifier = fitOnGram(gram, pooled.count, Array.from({ length: trainingRows }, (_, i) => i), labels, 0.1);
  const scores = scoresOnGram(classifier, gram, pooled.count, Array.from({ length: validation.count }, (_, i) => trainingRows + i));
  const weights = Float64Array.from(scores, (z) => Math.exp(Math.max(-30, Math.min(30, z))) * (source.count / target.count));
  const mean = weights.reduce((a, b) => a + b, 0) / Math.max(1, weights.length);
  return weights.map((w: number) => Math.min(MAX_IMPORTANCE_WEIGHT, w / mean));
}

function importanceWeighted(data: DomainData, seed: number): SelectionScore {
  const weights = importanceWeights(data, seed);
  const total = weights.reduce((a, b) => a + b, 0);
  const { sourceValidation: validation, classCount } = data;
  return (network) => {
    const { losses } = accuracyAndLosses(network.infer(validation.features, validation.count).probabilities, validation.labels, classCount);
    let risk = 0;
    for (let i = 0; i < losses.length; i++) risk += weights[i]! * losses[i]!;
    return -risk / total;
  };
}

/** A linear softmax classifier on standardised features, full-batch Adam; returns accuracy on `test`. */
function softmaxAccuracy(trainFeatures: Float32Array, trainLabels: Int32Array, test: LabelledSet, dimension: number, classCount: number, scaling: { mean: tf.Tensor1D; inverseStd: tf.Tensor1D }, steps = 100): number {
  const kernel = tf.variable(tf.zeros([dimension, classCount]));
  const bias = tf.variable(tf.zeros([classCount]));
  const optimizer = tf.train.adam(0.01);
  const scale = (x: tf.Tensor2D) => tf.mul(tf.sub(x, scaling.mean), scaling.inverseStd) as tf.Tensor2D;
  try {
    const x = scale(tf.tensor2d(trainFeatures, [trainLabels.length, dimension]));
    const y = tf.oneHot(tf.tensor1d(trainLabels, 'int32'), classCount);
    for (let step = 0; step < steps; step++) {
      tf.dispose(optimizer.minimize(() => tf.add(tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, kernel), bias)), tf.mul(1e-3, tf.sum(tf.square(kernel)))) as tf.Scalar, false, [kernel, bias]) ?? []);
    }
    tf.dispose([x, y]);
    const predicted = tf.tidy(() => tf.argMax(tf.add(tf.matMul(scale(tf.tensor2d(test.features, [test.count, dimension])), kernel), bias), 1).dataSync() as Int32Array);
    let correct = 0;
    for (let i = 0; i < test.count; i++) if (predicted[i] === test.labels[i]) correct++;
    return correct / test.count;
  } finally {
    tf.dispose([kernel, bias]);
    optimizer.dispose();
  }
}

function reverseValidation(data: DomainData, scaling: { mean: Float32Array; inverseStd: Float32Array }): SelectionScore {
  const { target, sourceValidation: validation, classCount, dimension } = data;
  return (network) => {
    const { probabilities } = network.infer(target.features, target.count);
    const pseudo = new Int32Array(target.count);
    for (let i = 0; i < target.count; i++) pseudo[i] = argmax(probabilities, i * classCount, classCount);
    const tensors = { mean: tf.tensor1d(scaling.mean), inverseStd: tf.tensor1d(scaling.inverseStd) };
    try {
      return softmaxAccuracy(target.features, pseudo, validation, dimension, classCount, tensors);
    } finally {
      tf.dispose([tensors.mean, tensors.inverseStd]);
    }
  };
}

/** The checkpoint score of a selection method, prepared once for the data. */
export function makeSelectionScore(method: SelectionMethod, data: DomainData, scaling: { mean: Float32Array; inverseStd: Float32Array }, seed: number): SelectionScore {
  switch (method) {
    case 'source-validation':
      return sourceValidation(data);
    case 'importance-weighted':
      return importanceWeighted(data, seed);
    case 'reverse-validation':
      return reverseValidation(data, scaling);
  }
}
