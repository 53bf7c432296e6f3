import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom, builtScript } from '@graft/core';
import type { LabelledFeatures } from '@graft/train/head';
import { foldFitter, outOfFoldProbabilities } from '../src/out-of-fold.js';

const workersBefore = process.env.GRAFT_WORKERS;
afterEach(() => {
  if (workersBefore === undefined) delete process.env.GRAFT_WORKERS;
  else process.env.GRAFT_WORKERS = workersBefore;
});

function noisyClasses(count: number, classes: number, dimension: number): LabelledFeatures {
  const random = new SeededRandom(7);
  const features = new Float32Array(count * dimension);
  const labels = Int32Array.from({ length: count }, (_, i) => i % classes);
  for (let i = 0; i < count; i++) for (let d = 0; d < dimension; d++) features[i * dimension + d] = random.normal() + (d % classes === labels[i] ? 1 : 0);
  return { features, labels, paths: Array.from({ length: count }, (_, i) => `c${labels[i]}/${i}.jpg`), count, dimension };
}

describe('outOfFoldProbabilities', () => {
  const all = noisyClasses(150, 3, 16);
  const settings = { classCount: 3, folds: 5, seed: 42, l2: 0.01, standardize: true } as const;

  it('gives the same probabilities, bit for bit, on worker threads as on this thread, each row from the head that did not see it', () => {
    process.env.GRAFT_WORKERS = '0';
    let folds = 0;
    const here = outOfFoldProbabilities(all, { ...settings, onFold: () => folds++ });
    expect(folds).toBe(5);
    expect(builtScript(new URL('../src/out-of-fold.ts', import.meta.url).href, 'out-of-fold-worker.js')).toBeDefined(); // the workers really run
    for (const workers of ['1', '2']) {
      process.env.GRAFT_WORKERS = workers;
      const there = outOfFoldProbabilities(all, settings);
      expect(Buffer.from(there.buffer).equals(Buffer.from(here.buffer))).toBe(true);
    }
    // Row by row, the probabilities are those of the fold's own head.
    const fit = foldFitter({ all, settings });
    const fold = fit(2);
    expect(fold.heldOut.length).toBe(30);
    fold.heldOut.forEach((row, i) => expect(Array.from(here.subarray(row * 3, row * 3 + 3))).toEqual(Array.from(fold.probabilities.subarray(i * 3, i * 3 + 3))));
  });
});
