import { SeededRandom, type Progress } from '@graft/core';
import { tf } from '@graft/tf';
import type { LabelledFeatures } from './features.js';

export interface TrainingOptions {
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly optimizer: string;
  readonly sampling: string;
  readonly evalEvery: number;
  readonly seed: number;
  readonly classCount: number;
}

/** One point of the training curve. */
export interface CurvePoint {
  readonly step: number;
  /** Cross-entropy on this step's training batch. */
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly validationLoss: number | null;
  readonly validationAccuracy: number | null;
}

/** Weights of a softmax layer: logits = features · weights + bias. */
export interface SoftmaxHead {
  /** featureDim × classCount, row-major. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  readonly featureDim: number;
  readonly classCount: number;
}

/** Truncated normal (|z| < 2) × stddev, as retrain.py initialises its final layer. */
function truncatedNormal(random: SeededRandom, count: number, stddev: number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let z: number;
    do z = random.normal();
    while (Math.abs(z) >= 2);
    values[i] = z * stddev;
  }
  return values;
}

/** Draws training batches: `balanced` picks a class then an image of it (retrain.py), `uniform` any image. */
export function makeBatchSampler(labels: Int32Array, classCount: number, sampling: string, random: SeededRandom): (size: number) => Int32Array {
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  labels.forEach((label, i) => byClass[label]!.push(i));
  const present = byClass.filter((members) => members.length > 0);
  return (size) => {
    const batch = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      if (sampling === 'balanced') {
        const members = present[random.int(present.length)]!;
        batch[i] = members[random.int(members.length)]!;
      } else {
        batch[i] = random.int(labels.length);
      }
    }
    return batch;
  };
}

/** Loss and accuracy of logits against labels. */
function lossAndAccuracy(logits: tf.Tensor2D, labels: tf.Tensor1D, classCount: number): { loss: tf.Scalar; accuracy: tf.Scalar } {
  return tf.tidy(() => {
    const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classCount), logits) as tf.Scalar;
    const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar;
    return { loss, accuracy };
  });
}

const validationStats = (value: number): number | null => (Number.isNaN(value) ? null : value);

/** Train a softmax layer with seeded init and sampling; records the curve every `evalEvery` steps and at the end. */
export async function trainSoftmax(train: LabelledFeatures, validation: LabelledFeatures, options: TrainingOptions, progress?: Progress): Promise<{ head: SoftmaxHead; curve: CurvePoint[] }> {
  const { classCount } = options;
  const dimension = train.dimension;
  const random = new SeededRandom(options.seed);
  const weights = tf.variable(tf.tensor2d(truncatedNormal(random, dimension * classCount, 0.001), [dimension, classCount]), true, 'final_weights');
  const bias = tf.variable(tf.zeros([classCount]), true, 'final_biases');
  const validationX = validation.count ? tf.tensor2d(validation.features, [validation.count, dimension]) : undefined;
  const validationY = validation.count ? tf.tensor1d(validation.labels, 'int32') : undefined;
  const optimizer = options.optimizer === 'adam' ? tf.train.adam(options.learningRate) : tf.train.sgd(options.learningRate);
  const sample = makeBatchSampler(train.labels, classCount, options.sampling, random);
  const logitsOf = (x: tf.Tensor2D) => tf.add(tf.matMul(x, weights), bias) as tf.Tensor2D;
  // Batches are assembled in JS into reused buffers: much faster than tf.gather on the wasm backend.
  const batchFeatures = new Float32Array(options.batchSize * dimension);
  const batchOneHot = new Float32Array(options.batchSize * classCount);
  const batchLabels = new Int32Array(options.batchSize);
  const curve: CurvePoint[] = [];
  try {
    for (let step = 1; step <= options.steps; step++) {
      const recording = step % options.evalEvery === 0 || step === options.steps;
      const indices = sample(options.batchSize);
      batchOneHot.fill(0);
      indices.forEach((row, i) => {
        batchFeatures.set(train.features.subarray(row * dimension, (row + 1) * dimension), i * dimension);
        batchLabels[i] = train.labels[row]!;
        batchOneHot[i * classCount + train.labels[row]!] = 1;
      });
      const batchX = tf.tensor2d(batchFeatures, [options.batchSize, dimension]);
      const batchTarget = tf.tensor2d(batchOneHot, [options.batchSize, classCount]);
      const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(batchTarget, logitsOf(batchX)) as tf.Scalar, recording, [weights, bias]);
      if (recording) {
        const point = tf.tidy(() => {
          const batchStats = lossAndAccuracy(logitsOf(batchX), tf.tensor1d(batchLabels, 'int32'), classCount);
          const validationStats = validationX && validationY ? lossAndAccuracy(logitsOf(validationX), validationY, classCount) : undefined;
          return [cost!.dataSync()[0]!, batchStats.accuracy.dataSync()[0]!, validationStats?.loss.dataSync()[0] ?? NaN, validationStats?.accuracy.dataSync()[0] ?? NaN];
        });
        const [loss, trainAccuracy, validationLoss, validationAccuracy] = point;
        curve.push({ step, loss: loss!, trainAccuracy: trainAccuracy!, validationLoss: validationStats(validationLoss!), validationAccuracy: validationStats(validationAccuracy!) });
      }
      tf.dispose(cost ? [batchX, batchTarget, cost] : [batchX, batchTarget]);
      progress?.tick();
    }
    return {
      head: { weights: (await weights.data()) as Float32Array, bias: (await bias.data()) as Float32Array, featureDim: dimension, classCount },
      curve,
    };
  } finally {
    tf.dispose([weights, bias, ...(validationX ? [validationX, validationY!] : [])]);
    optimizer.dispose();
  }
}
