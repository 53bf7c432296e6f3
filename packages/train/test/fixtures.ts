import { SeededRandom } from '@graft/core';
import type { LabelledFeatures } from '../src/features.js';
import { defaultTrainingOptions, type TrainingOptions } from '../src/head-training.js';

/**
 * Gaussian blobs around one centre per class, shifted and scaled unevenly per dimension as real
 * features are (`unevenScale` false: centred, unit scale).
 */
export function blobs(count: number, classes: number, dimension: number, seed: number, spread = 0.5, unevenScale = true): LabelledFeatures {
  const centreRandom = new SeededRandom(1000 + classes * dimension);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dimension }, () => centreRandom.normal() * 2));
  const offset = Array.from({ length: dimension }, (_, d) => (unevenScale ? 3 + d : 0));
  const scale = Array.from({ length: dimension }, (_, d) => (unevenScale ? 0.05 * (1 + (d % 5)) : 1));
  const random = new SeededRandom(seed);
  const features = new Float32Array(count * dimension);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % classes;
    for (let d = 0; d < dimension; d++) features[i * dimension + d] = offset[d]! + scale[d]! * (centres[i % classes]![d]! + random.normal() * spread);
  }
  return { features, labels, paths: Array.from({ length: count }, (_, i) => `c${i % classes}/img${seed}_${i}.jpg`), count, dimension };
}

/** XOR of the signs of two coordinates: no linear layer separates it, one hidden layer does. */
export function xor(count: number, seed: number): LabelledFeatures {
  const random = new SeededRandom(seed);
  const features = new Float32Array(count * 2);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const [x, y] = [random.next() * 2 - 1, random.next() * 2 - 1];
    features.set([x, y], i * 2);
    labels[i] = Number(x > 0 !== y > 0);
  }
  return { features, labels, paths: Array.from({ length: count }, (_, i) => `p${i}`), count, dimension: 2 };
}

/** The train stage's defaults (as a user gets them) for `classCount` classes, with overrides. */
export function options(classCount: number, overrides: Partial<TrainingOptions> = {}): TrainingOptions {
  return { ...defaultTrainingOptions(), classCount, ...overrides };
}

export function crossEntropy(probabilities: ArrayLike<number>, labels: Int32Array, classCount: number): number {
  let sum = 0;
  labels.forEach((label, i) => (sum -= Math.log(Math.max(1e-12, probabilities[i * classCount + label]!))));
  return sum / labels.length;
}

export function accuracy(probabilities: ArrayLike<number>, labels: Int32Array, classCount: number): number {
  let correct = 0;
  labels.forEach((label, i) => {
    let best = 0;
    for (let c = 1; c < classCount; c++) if (probabilities[i * classCount + c]! > probabilities[i * classCount + best]!) best = c;
    if (best === label) correct++;
  });
  return correct / labels.length;
}
