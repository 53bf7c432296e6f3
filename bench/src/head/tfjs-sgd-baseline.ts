import { SeededRandom } from '@graft/core';
import { tf, useTfjsBackend } from '@graft/tf';
import type { LabelledFeatures } from '@graft/train';

/**
 * The head training Graft had before its own kernels (kept here as the benchmark's baseline): a
 * softmax layer trained by tfjs (`optimizer.minimize` on the fastest backend that loads, batches
 * assembled in JS into reused buffers), retrain.py's SGD, balanced sampling. Returns the seconds of
 * `steps` steps.
 */
export async function tfjsSgdSeconds(train: LabelledFeatures, classCount: number, steps: number, batchSize: number): Promise<{ seconds: number; backend: string }> {
  const backend = await useTfjsBackend();
  const dimension = train.dimension;
  const random = new SeededRandom(1);
  const kernel = tf.variable(tf.randomNormal([dimension, classCount], 0, 0.001, 'float32', 1));
  const bias = tf.variable(tf.zeros([classCount]));
  const optimizer = tf.train.sgd(0.01);
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  train.labels.forEach((label, i) => byClass[label]!.push(i));
  const features = new Float32Array(batchSize * dimension);
  const oneHot = new Float32Array(batchSize * classCount);
  const started = performance.now();
  for (let step = 0; step < steps; step++) {
    oneHot.fill(0);
    for (let i = 0; i < batchSize; i++) {
      const members = byClass[random.int(classCount)]!;
      const row = members[random.int(members.length)]!;
      features.set(train.features.subarray(row * dimension, (row + 1) * dimension), i * dimension);
      oneHot[i * classCount + train.labels[row]!] = 1;
    }
    const x = tf.tensor2d(features, [batchSize, dimension]);
    const y = tf.tensor2d(oneHot, [batchSize, classCount]);
    optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, kernel), bias)) as tf.Scalar, false, [kernel, bias]);
    tf.dispose([x, y]);
  }
  await kernel.data();
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([kernel, bias]);
  optimizer.dispose();
  return { seconds, backend };
}
