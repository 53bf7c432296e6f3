import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@graft/core';
import { tf, useTfjsBackend } from '@graft/tf';
import { matMulGivenTranspose, trainHead, type TrainingOptions } from '../src/head-training.js';
import { makeBatchSampler, classWeights } from '../src/batch-sampler.js';
import { headToLayersModel } from '../src/head-model.js';
import { learningRateAt } from '../src/learning-rate.js';
import type { LabelledFeatures } from '../src/features.js';
import type { TrainedHead } from '../src/head.js';

/** Gaussian blobs around one centre per class: linearly separable with margin. */
function blobs(count: number, classes: number, dimension: number, seed: number): LabelledFeatures {
  const centreRandom = new SeededRandom(1000 + classes * dimension);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dimension }, () => centreRandom.normal() * 2));
  const random = new SeededRandom(seed);
  const features = new Float32Array(count * dimension);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % classes;
    for (let d = 0; d < dimension; d++) features[i * dimension + d] = centres[i % classes]![d]! + random.normal() * 0.5;
  }
  return { features, labels, paths: [], count, dimension };
}

/** XOR of the signs of two coordinates: no linear layer separates it, one hidden layer does. */
function xor(count: number, seed: number): LabelledFeatures {
  const random = new SeededRandom(seed);
  const features = new Float32Array(count * 2);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const [x, y] = [random.next() * 2 - 1, random.next() * 2 - 1];
    features.set([x, y], i * 2);
    labels[i] = Number(x > 0 !== y > 0);
  }
  return { features, labels, paths: [], count, dimension: 2 };
}

const defaults: TrainingOptions = {
  steps: 300, batchSize: 32, learningRate: 0.05, optimizer: 'sgd', momentum: 0.9, learningRateSchedule: 'constant', learningRateDecaySteps: 1000, learningRateDecayFactor: 0.1,
  hiddenUnits: 0, hiddenActivation: 'relu', dropout: 0, l2: 0, labelSmoothing: 0, sampling: 'balanced', classWeights: 'none', earlyStoppingPatience: 0, evalEvery: 50, seed: 3, classCount: 4,
};

/** Probabilities of a trained head on features, through the tfjs model train saves. */
function predict(head: TrainedHead, data: LabelledFeatures): Float32Array {
  const model = headToLayersModel(head);
  const output = tf.tidy(() => (model.predict(tf.tensor2d(data.features, [data.count, data.dimension])) as tf.Tensor).dataSync() as Float32Array);
  model.dispose();
  return output;
}

function crossEntropy(probabilities: Float32Array, labels: Int32Array, classCount: number): number {
  let sum = 0;
  labels.forEach((label, i) => (sum -= Math.log(Math.max(1e-12, probabilities[i * classCount + label]!))));
  return sum / labels.length;
}

function norm(values: Float32Array): number {
  return Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
}

describe('trainHead', () => {
  it('learns separable classes and records a curve (retrain.py defaults: one softmax layer, SGD)', async () => {
    await useTfjsBackend();
    const { head, curve, kept, stepsRun } = await trainHead(blobs(200, 4, 16, 1), blobs(80, 4, 16, 2), defaults);
    expect(curve.map((p) => p.step)).toEqual([50, 100, 150, 200, 250, 300]);
    expect(curve.every((p) => p.learningRate === 0.05)).toBe(true);
    expect(kept).toBe(curve.at(-1));
    expect(stepsRun).toBe(300);
    expect(curve.at(-1)!.validationAccuracy!).toBeGreaterThan(0.95);
    expect(curve.at(-1)!.loss).toBeLessThan(curve[0]!.loss);
    expect(head.hidden).toBeNull();
    expect(head.output.kernel).toHaveLength(16 * 4);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    await useTfjsBackend();
    const run = (options: Partial<TrainingOptions>) => trainHead(blobs(100, 4, 8, 1), blobs(40, 4, 8, 2), { ...defaults, ...options });
    const [a, b, c] = [await run({}), await run({}), await run({ seed: 4 })];
    expect(a.head.output.kernel).toEqual(b.head.output.kernel);
    expect(a.head.output.kernel).not.toEqual(c.head.output.kernel);
    const [d, e] = [await run({ hiddenUnits: 8, dropout: 0.3 }), await run({ hiddenUnits: 8, dropout: 0.3 })];
    expect(d.head.hidden!.kernel).toEqual(e.head.hidden!.kernel);
    expect(d.head.output.kernel).toEqual(e.head.output.kernel);
    expect(d.head.output.kernel).not.toEqual((await run({ hiddenUnits: 8 })).head.output.kernel);
  });

  it('a hidden layer learns XOR, which the softmax layer alone cannot', async () => {
    await useTfjsBackend();
    const options = { ...defaults, classCount: 2, steps: 600, learningRate: 0.05, optimizer: 'adam', evalEvery: 600 };
    const linear = await trainHead(xor(400, 1), xor(200, 2), options);
    const hidden = await trainHead(xor(400, 1), xor(200, 2), { ...options, hiddenUnits: 16 });
    expect(linear.kept.validationAccuracy!).toBeLessThan(0.75);
    expect(hidden.kept.validationAccuracy!).toBeGreaterThan(0.9);
    expect(hidden.head.hidden).toMatchObject({ units: 16, inputDim: 2, activation: 'relu' });
    expect(hidden.head.output.inputDim).toBe(16);
    // The saved tfjs model computes what training measured.
    const probabilities = predict(hidden.head, xor(200, 2));
    const correct = xor(200, 2).labels.filter((label, i) => (probabilities[2 * i + 1]! > probabilities[2 * i]! ? 1 : 0) === label).length;
    expect(correct / 200).toBeCloseTo(hidden.kept.validationAccuracy!, 5);
  });

  it.each(['momentum', 'adam'])('learns with the %s optimizer', async (optimizer) => {
    await useTfjsBackend();
    const { kept } = await trainHead(blobs(200, 4, 16, 1), blobs(80, 4, 16, 2), { ...defaults, optimizer, learningRate: optimizer === 'adam' ? 0.01 : 0.02 });
    expect(kept.validationAccuracy!).toBeGreaterThan(0.95);
  });

  it('early stopping ends the run when validation loss stops improving and keeps the best weights', async () => {
    await useTfjsBackend();
    // Validation labels unrelated to the features: its loss gets worse as training grows confident.
    const validation = blobs(80, 4, 16, 2);
    const random = new SeededRandom(5);
    const noisy = { ...validation, labels: validation.labels.map(() => random.int(4)) };
    const { head, curve, kept, stepsRun } = await trainHead(blobs(200, 4, 16, 1), noisy, { ...defaults, steps: 5000, evalEvery: 20, earlyStoppingPatience: 3, learningRate: 0.5 });
    expect(stepsRun).toBeLessThan(5000);
    expect(curve.at(-1)!.step).toBe(stepsRun);
    expect(curve.length - curve.indexOf(kept) - 1).toBe(3);
    expect(kept.validationLoss).toBe(Math.min(...curve.map((p) => p.validationLoss!)));
    expect(crossEntropy(predict(head, noisy), noisy.labels, 4)).toBeCloseTo(kept.validationLoss!, 4);
  });

  it('label smoothing keeps predictions from saturating; L2 keeps weights small', async () => {
    await useTfjsBackend();
    const data = [blobs(200, 4, 16, 1), blobs(80, 4, 16, 2)] as const;
    const options = { ...defaults, steps: 800, learningRate: 0.5 };
    const [plain, smoothed, penalised] = [await trainHead(...data, options), await trainHead(...data, { ...options, labelSmoothing: 0.3 }), await trainHead(...data, { ...options, l2: 0.1 })];
    const confidence = (head: TrainedHead) => {
      const p = predict(head, data[1]);
      return Array.from({ length: 80 }, (_, i) => Math.max(...p.subarray(i * 4, i * 4 + 4))).reduce((a, b) => a + b, 0) / 80;
    };
    expect(confidence(plain.head)).toBeGreaterThan(0.97);
    // Smoothing 0.3 over 4 classes makes the target of the true class 0.775.
    expect(confidence(smoothed.head)).toBeLessThan(0.85);
    expect(smoothed.kept.validationAccuracy!).toBeGreaterThan(0.95);
    expect(norm(penalised.head.output.kernel)).toBeLessThan(0.5 * norm(plain.head.output.kernel));
  });

  it('records the scheduled learning rate of each step', async () => {
    await useTfjsBackend();
    const { curve } = await trainHead(blobs(100, 4, 8, 1), blobs(40, 4, 8, 2), { ...defaults, steps: 200, evalEvery: 50, learningRateSchedule: 'step', learningRateDecaySteps: 100, learningRateDecayFactor: 0.5 });
    expect(curve.map((p) => p.learningRate)).toEqual([0.05, 0.05, 0.025, 0.025]);
  });
});

describe('matMulGivenTranspose', () => {
  it('has the value and kernel gradient of tf.matMul', async () => {
    await useTfjsBackend();
    const [x, w] = [tf.randomNormal([7, 5], 0, 1, 'float32', 1) as tf.Tensor2D, tf.randomNormal([5, 3], 0, 1, 'float32', 2) as tf.Tensor2D];
    const custom = matMulGivenTranspose(tf.transpose(x));
    const loss = (product: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D) => (b: tf.Tensor) => tf.sum(tf.square(product(x, b as tf.Tensor2D)));
    expect(custom(x, w).arraySync()).toEqual(tf.matMul(x, w).arraySync());
    const [expected, actual] = [tf.grad(loss(tf.matMul))(w).dataSync(), tf.grad(loss(custom))(w).dataSync()];
    actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 5));
  });
});

describe('learningRateAt', () => {
  const schedule = { learningRate: 0.1, learningRateSchedule: 'cosine', learningRateDecaySteps: 10, learningRateDecayFactor: 0.1, steps: 100 };
  it('cosine decays from the rate to near 0, half way at the middle', () => {
    expect(learningRateAt(1, schedule)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(51, schedule)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(100, schedule)).toBeLessThan(0.0001);
  });
  it('step decays by the factor every decay-steps steps; constant stays', () => {
    expect([1, 10, 11, 21].map((s) => learningRateAt(s, { ...schedule, learningRateSchedule: 'step' }))).toEqual([0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1 ** 2]);
    expect(learningRateAt(77, { ...schedule, learningRateSchedule: 'constant' })).toBe(0.1);
  });
});

describe('makeBatchSampler and classWeights', () => {
  const labels = Int32Array.from([...Array(90).fill(0), ...Array(10).fill(1)]);
  it('balanced sampling draws each class about equally even when classes are imbalanced', () => {
    const batch = makeBatchSampler(labels, 2, 'balanced', new SeededRandom(1))(10_000);
    const minority = Array.from(batch).filter((i) => labels[i] === 1).length;
    expect(minority / 10_000).toBeCloseTo(0.5, 1);
  });
  it('balanced class weights are images / (classes × class images); none is all ones', () => {
    expect(Array.from(classWeights(labels, 3, 'balanced'))).toEqual([Math.fround(100 / (2 * 90)), 5, 0]);
    expect(Array.from(classWeights(labels, 2, 'none'))).toEqual([1, 1]);
  });
  it('class weights under uniform sampling lift the minority class like balanced sampling does', async () => {
    await useTfjsBackend();
    // Two overlapping classes, 9:1: unweighted, the minority is mostly predicted as the majority.
    const random = new SeededRandom(9);
    const make = (count: number) => {
      const features = new Float32Array(count * 2);
      const y = Int32Array.from({ length: count }, (_, i) => (i % 10 === 0 ? 1 : 0));
      y.forEach((label, i) => features.set([random.normal() + (label ? 1 : 0), random.normal()], i * 2));
      return { features, labels: y, paths: [], count, dimension: 2 };
    };
    const [train, validation] = [make(1000), make(1000)];
    const options = { ...defaults, classCount: 2, steps: 600, learningRate: 0.1, sampling: 'uniform', evalEvery: 600 };
    const recall = (head: TrainedHead) => {
      const p = predict(head, validation);
      const minority = Array.from(validation.labels.keys()).filter((i) => validation.labels[i] === 1);
      return minority.filter((i) => p[2 * i + 1]! > p[2 * i]!).length / minority.length;
    };
    const [unweighted, weighted] = [await trainHead(train, validation, options), await trainHead(train, validation, { ...options, classWeights: 'balanced' })];
    expect(recall(unweighted.head)).toBeLessThan(0.2);
    expect(recall(weighted.head)).toBeGreaterThan(0.55);
  });
});
