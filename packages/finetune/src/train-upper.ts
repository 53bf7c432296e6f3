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

/** Softmax head weights: logits = features · kernel + bias. */
export interface HeadWeights {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly featureDim: number;
  readonly classCount: number;
}

/** Loss and accuracy of the upper part + head over a set of activations, in batches. */
export function score(upper: tf.LayersModel, kernel: tf.Tensor2D, bias: tf.Tensor1D, set: CutActivations, batchSize = 32): { loss: number; accuracy: number; predicted: Int32Array } {
  const perImage = set.shape.reduce((a, b) => a * b, 1);
  const classCount = kernel.shape[1];
  let loss = 0;
  let correct = 0;
  const predicted = new Int32Array(set.count);
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const [batchLoss, batchPredicted] = tf.tidy(() => {
      const x = tf.tensor(set.values.subarray(start * perImage, (start + n) * perImage), [n, ...set.shape]);
      const logits = tf.add(tf.matMul(upper.apply(x, { training: false }) as tf.Tensor2D, kernel), bias) as tf.Tensor2D;
      const y = tf.oneHot(tf.tensor1d(set.labels.subarray(start, start + n), 'int32'), classCount);
      return [tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.SUM).dataSync()[0]!, tf.argMax(logits, 1).dataSync() as Int32Array];
    });
    loss += batchLoss as number;
    predicted.set(batchPredicted as Int32Array, start);
  }
  for (let i = 0; i < set.count; i++) if (predicted[i] === set.labels[i]) correct++;
  return { loss: loss / Math.max(1, set.count), accuracy: correct / Math.max(1, set.count), predicted };
}

/**
 * Fine-tune the unfrozen upper part and the head together on cached cut activations: Adam with a
 * lower learning rate for the backbone layers than for the head, BatchNorm in inference mode (its
 * layers frozen by the caller), early stopping on the validation loss with the best weights restored.
 */
export function fineTune(upper: tf.LayersModel, head: HeadWeights, train: CutActivations, validation: CutActivations, options: FineTuneOptions, progress?: Progress): { head: HeadWeights; curve: EpochPoint[]; bestEpoch: number } {
  const random = new SeededRandom(options.seed);
  const kernel = tf.variable(tf.tensor2d(head.kernel, [head.featureDim, head.classCount]), true);
  const bias = tf.variable(tf.tensor1d(head.bias), true);
  const backbone = upper.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const backboneOptimizer = tf.train.adam(options.learningRate * options.backboneLearningRateFactor);
  const headOptimizer = tf.train.adam(options.learningRate);
  const perImage = train.shape.reduce((a, b) => a * b, 1);
  const batchValues = new Float32Array(options.batchSize * perImage);
  const batchLabels = new Int32Array(options.batchSize);
  const snapshot = () => [...backbone, kernel, bias].map((v) => Float32Array.from(v.dataSync() as Float32Array));
  const restore = (weights: Float32Array[]) => tf.tidy(() => [...backbone, kernel, bias].forEach((v, i) => v.assign(tf.tensor(weights[i]!, v.shape))));
  const curve: EpochPoint[] = [];
  const initial = score(upper, kernel, bias, validation);
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
        const y = tf.oneHot(tf.tensor1d(batchLabels.subarray(0, rows.length), 'int32'), head.classCount);
        const { value, grads } = tf.variableGrads(() => {
          const logits = tf.add(tf.matMul(upper.apply(x, { training: false }) as tf.Tensor2D, kernel), bias) as tf.Tensor2D;
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        }, [...backbone, kernel, bias]);
        trainLoss += value.dataSync()[0]! * rows.length;
        if (backbone.length > 0) backboneOptimizer.applyGradients(backbone.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
        headOptimizer.applyGradients([kernel, bias].map((v) => ({ name: v.name, tensor: grads[v.name]! })));
        tf.dispose([x, y, value, ...Object.values(grads)]);
        progress?.tick(rows.length);
      }
      const validated = score(upper, kernel, bias, validation);
      curve.push({ epoch, trainLoss: trainLoss / train.count, validationLoss: validated.loss, validationAccuracy: validated.accuracy });
      if (validated.loss < best.loss) {
        best = { loss: validated.loss, epoch, weights: snapshot() };
        waited = 0;
      } else if (++waited >= options.patience) break;
    }
    restore(best.weights);
    return { head: { kernel: Float32Array.from(kernel.dataSync() as Float32Array), bias: Float32Array.from(bias.dataSync() as Float32Array), featureDim: head.featureDim, classCount: head.classCount }, curve, bestEpoch: best.epoch };
  } finally {
    tf.dispose([kernel, bias]);
    backboneOptimizer.dispose();
    headOptimizer.dispose();
  }
}
