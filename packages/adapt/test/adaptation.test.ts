import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '@graft/core';
import { useTfjsBackend, tf } from '@graft/tf';
import type { Bottlenecks } from '@graft/extract';
import type { ManifestRow } from '@graft/split';
import { domainData, inputScaling, type DomainData } from '../src/domain-data.js';
import { trainMethod, type AdaptTrainingOptions } from '../src/train-method.js';
import { makeSelectionScore } from '../src/selection.js';
import { alignedDistances, type AlignedDistances } from '../src/run.js';
import type { AdaptMethod } from '../src/methods.js';

const CLASSES = 3;
const DIMENSION = 20;

/**
 * A synthetic shifted pair: source classes are Gaussian blobs; the target is the same classes seen
 * through a fixed random linear distortion plus an offset (a covariate shift the network must undo).
 */
function shiftedPair(seed: number): { source: { x: Float32Array; y: Int32Array }; target: { x: Float32Array; y: Int32Array } } {
  const random = new SeededRandom(seed);
  const means = Array.from({ length: CLASSES }, () => Array.from({ length: DIMENSION }, () => 2 * random.normal()));
  const distortion = Array.from({ length: DIMENSION * DIMENSION }, (_, i) => (i % (DIMENSION + 1) === 0 ? 1 : 0) + 0.35 * random.normal());
  const offset = Array.from({ length: DIMENSION }, () => 1.5 * random.normal());
  const draw = (n: number, distorted: boolean) => {
    const x = new Float32Array(n * DIMENSION);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % CLASSES;
      const point = means[y[i]!]!.map((m) => m + random.normal());
      for (let k = 0; k < DIMENSION; k++) {
        let value = point[k]!;
        if (distorted) {
          value = offset[k]!;
          for (let j = 0; j < DIMENSION; j++) value += distortion[k * DIMENSION + j]! * point[j]!;
        }
        x[i * DIMENSION + k] = value;
      }
    }
    return { x, y };
  };
  return { source: draw(240, false), target: draw(240, true) };
}

/** Bottlenecks of the pair: source rows train / validation, target rows train (adaptation) / test, labelled. */
function bottlenecksOf(pair: ReturnType<typeof shiftedPair>): Bottlenecks {
  const rows: ManifestRow[] = [];
  const features = new Float32Array(480 * DIMENSION);
  const add = (domain: 'source' | 'target', x: Float32Array, y: Int32Array) => {
    for (let i = 0; i < y.length; i++) {
      const split = domain === 'source' ? (i % 5 === 0 ? 'validation' : 'train') : i % 2 === 0 ? 'test' : 'train';
      features.set(x.subarray(i * DIMENSION, (i + 1) * DIMENSION), rows.length * DIMENSION);
      rows.push({ path: `${domain}/${i}.png`, className: `c${y[i]}`, classIndex: y[i]!, split, sha256: `${domain}${i}`, bytes: 1, format: 'png', width: 1, height: 1, domain });
    }
  };
  add('source', pair.source.x, pair.source.y);
  add('target', pair.target.x, pair.target.y);
  return { rows, features, featureDim: DIMENSION, provenance: {} as Bottlenecks['provenance'] };
}

const options: AdaptTrainingOptions = { steps: 400, batchSize: 32, learningRate: 0.01, adaptationUnits: 16, discriminatorUnits: 32, discriminatorLearningRate: 1, weightDecay: 0.001, dropout: 0, evalEvery: 400, seed: 7 };

describe('domain adaptation on a synthetic shifted pair', () => {
  let data: DomainData;
  const distances: Partial<Record<AdaptMethod, AlignedDistances>> = {};

  beforeAll(async () => {
    await useTfjsBackend();
    data = domainData(bottlenecksOf(shiftedPair(1)), CLASSES);
    const score = makeSelectionScore('source-validation', data, inputScaling(data.sourceTrain, DIMENSION), 1);
    for (const method of ['source-only', 'coral', 'mmd', 'dann'] as const) {
      const trained = trainMethod(method, 1, data, options, score);
      distances[method] = alignedDistances(trained.network, data, 1);
      trained.network.dispose();
    }
  });

  it('adaptation sees labelled source rows and unlabelled target adaptation rows only', () => {
    expect(data.sourceTrain.count).toBe(192);
    expect(data.sourceValidation.count).toBe(48);
    expect(data.target.count).toBe(120); // the target test half is left out
    expect(Object.keys(data.target)).toEqual(['features', 'count']);
    // Scrambling the target labels changes nothing adapt can see.
    const scrambled = bottlenecksOf(shiftedPair(1));
    scrambled.rows.forEach((row, i) => {
      if (row.domain === 'target') scrambled.rows[i] = { ...row, classIndex: (row.classIndex + 1) % CLASSES, className: 'x' };
    });
    expect(domainData(scrambled, CLASSES)).toEqual(data);
  });

  // Each method lowers the distance it works on, measured on the aligned layer with the similarity stage's estimators.
  it.each([
    ['coral', 'coral'],
    ['mmd', 'mmd'],
    ['dann', 'mmd'],
  ] as const)('%s reduces the source–target %s distance of the aligned layer below source-only', (method, measure) => {
    expect(distances[method]![measure]).toBeLessThan(0.8 * distances['source-only']![measure]);
  });

  it('training is deterministic for a seed and frees its tensors', () => {
    const before = tf.memory().numTensors;
    const score = makeSelectionScore('source-validation', data, inputScaling(data.sourceTrain, DIMENSION), 1);
    const short = { ...options, steps: 60, evalEvery: 30 };
    const first = trainMethod('dann', 1, data, short, score);
    const second = trainMethod('dann', 1, data, short, score);
    expect(second.curve).toEqual(first.curve);
    expect(second.network.snapshot()).toEqual(first.network.snapshot());
    first.network.dispose();
    second.network.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(['importance-weighted', 'reverse-validation'] as const)('selection by %s gives finite scores', (selection) => {
    const score = makeSelectionScore(selection, data, inputScaling(data.sourceTrain, DIMENSION), 1);
    const trained = trainMethod('source-only', 1, data, { ...options, steps: 40, evalEvery: 20 }, score);
    expect(trained.curve.map((p) => Number.isFinite(p.selectionScore))).toEqual([true, true]);
    expect(trained.selectedStep).toBeGreaterThan(0);
    trained.network.dispose();
  });
});
