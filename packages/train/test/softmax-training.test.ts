import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@graft/core';
import { useTfjsBackend } from '@graft/tf';
import { trainSoftmax, makeBatchSampler } from '../src/softmax-training.js';
import type { LabelledFeatures } from '../src/features.js';

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

const options = { steps: 300, batchSize: 32, learningRate: 0.05, optimizer: 'sgd', sampling: 'balanced', evalEvery: 50, seed: 3, classCount: 4 };

describe('trainSoftmax', () => {
  it('learns separable classes and records a curve', async () => {
    await useTfjsBackend();
    const { head, curve } = await trainSoftmax(blobs(200, 4, 16, 1), blobs(80, 4, 16, 2), options);
    expect(curve.map((p) => p.step)).toEqual([50, 100, 150, 200, 250, 300]);
    expect(curve.at(-1)!.validationAccuracy!).toBeGreaterThan(0.95);
    expect(curve.at(-1)!.loss).toBeLessThan(curve[0]!.loss);
    expect(head.weights).toHaveLength(16 * 4);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    await useTfjsBackend();
    const [a, b, c] = [await trainSoftmax(blobs(100, 4, 8, 1), blobs(40, 4, 8, 2), options), await trainSoftmax(blobs(100, 4, 8, 1), blobs(40, 4, 8, 2), options), await trainSoftmax(blobs(100, 4, 8, 1), blobs(40, 4, 8, 2), { ...options, seed: 4 })];
    expect(a.head.weights).toEqual(b.head.weights);
    expect(a.head.weights).not.toEqual(c.head.weights);
  });
});

describe('makeBatchSampler', () => {
  it('balanced sampling draws each class about equally even when classes are imbalanced', () => {
    const labels = Int32Array.from([...Array(90).fill(0), ...Array(10).fill(1)]);
    const batch = makeBatchSampler(labels, 2, 'balanced', new SeededRandom(1))(10_000);
    const minority = Array.from(batch).filter((i) => labels[i] === 1).length;
    expect(minority / 10_000).toBeCloseTo(0.5, 1);
  });
});
