import { SeededRandom, type Progress } from '@graft/core';
import { tf } from '@graft/tf';
import type { CutActivations } from './activations.js';

export interface FineTuneOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Learning rate of the head (Adam). */
  readonly learningRate: number;
  /** The unfrozen backbone layers learn at learningRate × this (discriminative learning rates). */
  readonly backboneLearningRateFactor: number;
  /** Stop after this many epochs without a lower validation loss; the best epoch's weights are kept. */
  readonly patience: number;
  readonly seed: number;
}

export interface EpochPoint {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validationLoss: number;
  readonly validationAccuracy: number;
}

/** Mean cross-entropy of class probabilities (the head ends in softmax). */
function crossEntropy(labels: tf.Tensor2D, probabilities: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(tf.clipByValue(probabilities, 1e-7, 1))), 1))) as tf.Scalar;
}

/** Class probabilities of the upper part + head, BatchNorm and dropout in inference mode. */
function probabilitiesOf(upper: tf.LayersModel, head: tf.LayersModel, x: tf.Tensor): tf.Tensor2D {
  return head.apply(upper.apply(x, { training: false }), { training: false }) as tf.Tensor2D;
}

/** Loss, accuracy and predictions of the upper part + head over a set of activations, in batches. */
export function score(upper: tf.LayersModel, head: tf.LayersModel, set: CutActivations, batchSize = 32): { loss: number; accuracy: number; predicted: Int32Array } {
  const perImage = set.shape.reduce((a, b) => a * b, 1);
  const classCount = (head.outputs[0] as tf.SymbolicTensor).shape[1] as number;
  let loss = 0;
  const predicted = new Int32Array(set.count);
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const [batchLoss, batchPredicted] = tf.tidy(() => {
      const x = tf.tensor(set.values.subarray(start * perImage, (start + n) * perImage), [n, ...set.shape]);
      const probabilities = probabilitiesOf(upper, head, x);
      const y = tf.oneHot(tf.tensor1d(set.labels.subarray(start, start + n), 'int32'), classCount) as tf.Tensor2D;
      return [crossEntropy(y, probabilities).dataSync()[0]! * n, tf.argMax(probabilities, 1).dataSync() as Int32Array] as const;
    });
    loss += batchLoss;
    predicted.set(batchPredicted, start);
  }
  let correct = 0;
  for (let i = 0; i < set.count; i++) if (predicted[i] === set.labels[i]) correct++;
  return { loss: loss / Math.max(1, set.count), accuracy: correct / Math.max(1, set.count), predicted };
}

/**
 * Fine-tune the unfrozen upper part and the trained head together on cached cut activations: Adam
 * with a lower learning rate for the backbone layers than for the head, BatchNorm frozen (replaced
 * by its affine map in `upper`), early stopping on the validation loss with the best epoch's
 * weights restored (epoch 0 = the starting point, kept if no epoch beats it). Trains the layers'
 * own variables: the backbone and head models hold the result.
 */
export function fineTune(upper: tf.LayersModel, head: tf.LayersModel, train: CutActivations, validation: CutActivations, options: FineTuneOptions, progress?: Progress, onEpoch?: (point: EpochPoint, best: boolean) => void): { curve: EpochPoint[]; bestEpoch: number } {
  const random = new SeededRandom(options.seed);
  const variablesOf = (model: tf.LayersModel) => model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const backbone = variablesOf(upper);
  const headVariables = variablesOf(head);
  const all = [...backbone, ...headVariables];
  const backboneOptimizer = tf.train.adam(options.learningRate * options.backboneLearningRateFactor);
  const headOptimizer = tf.train.adam(options.learningRate);
  const classCount = (head.outputs[0] as tf.SymbolicTensor).shape[1] as number;
  const perImage = train.shape.reduce((a, b) => a * b, 1);
  const batchValues = new Float32Array(options.batchSize * perImage);
  const batchLabels = new Int32Array(options.batchSize);
  const snapshot = () => all.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  const restore = (weights: Float32Array[]) => tf.tidy(() => all.forEach((v, i) => v.assign(tf.tensor(weights[i]!, v.shape))));
  const initial = score(upper, head, validation);
  const curve: EpochPoint[] = [{ epoch: 0, trainLoss: score(upper, head, train).loss, validationLoss: initial.loss, validationAccuracy: initial.accuracy }];
  let best = { loss: initial.loss, epoch: 0, weights: snapshot() };
  let waited = 0;
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const order = random.shuffle(Array.from({ length: train.count }, (_, i) => i));
      let trainLoss = 0;
      for (let start = 0; start < order.length; start += options.batchSize) {
        const rows = order.slice(start, start + options.batchSize);
        rows.forEach((row, i) => {
          batchValues.set(train.values.subarray(row * perImage, (row + 1) * perImage), i * perImage);
          batchLabels[i] = train.labels[row]!;
        });
        const x = tf.tensor(batchValues.subarray(0, rows.length * perImage), [rows.length, ...train.shape]);
        const y = tf.oneHot(tf.tensor1d(batchLabels.subarray(0, rows.length), 'int32'), classCount) as tf.Tensor2D;
        const { value, grads } = tf.variableGrads(() => crossEntropy(y, probabilitiesOf(upper, head, x)), all);
        trainLoss += value.dataSync()[0]! * rows.length;
        if (backbone.length > 0 && options.backboneLearningRateFactor > 0) backboneOptimizer.applyGradients(backbone.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
        headOptimizer.applyGradients(headVariables.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
        tf.dispose([x, y, value, ...Object.values(grads)]);
        progress?.tick(rows.length);
      }
      const validated = score(upper, head, validation);
      const point = { epoch, trainLoss: trainLoss / train.count, validationLoss: validated.loss, validationAccuracy: validated.accuracy };
      curve.push(point);
      onEpoch?.(point, validated.loss < best.loss);
      if (validated.loss < best.loss) {
        best = { loss: validated.loss, epoch, weights: snapshot() };
        waited = 0;
      } else if (++waited >= options.patience) break;
    }
    restore(best.weights);
    return { curve, bestEpoch: best.epoch };
  } finally {
    backboneOptimizer.dispose();
    headOptimizer.dispose();
  }
}
