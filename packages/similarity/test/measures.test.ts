import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@graft/core';
import { mmdTest, unbiasedMmdSquared, pairwiseSquaredDistances, multiKernelGaussian, medianSquaredDistance } from '../src/mmd.js';
import { coralDistance, covariance } from '../src/coral.js';
import { proxyADistance } from '../src/proxy-a-distance.js';
import { fitLogisticRegression, errorRate } from '../src/logistic-regression.js';
import { stack, type Sample } from '../src/samples.js';
import { similarityLine } from '../src/verdict.js';

/** n points from N(mean, I) in d dimensions (seeded), shifted by `shift` along every axis. */
function gaussian(n: number, d: number, seed: number, shift = 0, scale = 1): Sample {
  const random = new SeededRandom(seed);
  return { values: Float32Array.from({ length: n * d }, () => random.normal() * scale + shift), count: n, dimension: d };
}

describe('MMD', () => {
  it('the unbiased estimator matches its definition term by term on a tiny example', () => {
    const x = gaussian(4, 3, 1);
    const y = gaussian(5, 3, 2, 0.7);
    const pooled = stack(x, y);
    const distances = pairwiseSquaredDistances(pooled);
    const gram = multiKernelGaussian(distances, 9);
    const k = (i: number, j: number) => gram[i * 9 + j]!;
    let xx = 0, yy = 0, xy = 0;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) xx += k(i, j);
    for (let i = 4; i < 9; i++) for (let j = 4; j < 9; j++) if (i !== j) yy += k(i, j);
    for (let i = 0; i < 4; i++) for (let j = 4; j < 9; j++) xy += k(i, j);
    const expected = xx / 12 + yy / 20 - (2 * xy) / 20;
    expect(unbiasedMmdSquared(gram, Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0, 0]))).toBeCloseTo(expected, 12);
    // Median heuristic: the median of the 36 off-diagonal squared distances.
    const offDiagonal = [];
    for (let i = 0; i < 9; i++) for (let j = i + 1; j < 9; j++) offDiagonal.push(distances[i * 9 + j]!);
    offDiagonal.sort((a, b) => a - b);
    expect(medianSquaredDistance(distances, 9)).toBeCloseTo((offDiagonal[17]! + offDiagonal[18]!) / 2, 12);
  });

  it('of a sample against itself is ≈ 0 and not significant; against a shifted copy clearly > 0 with p < 0.05', () => {
    const x = gaussian(150, 16, 3);
    const shifted = { ...x, values: x.values.map((v) => v + 1) };
    for (const kernel of ['linear', 'gaussian'] as const) {
      const self = mmdTest(x, x, { kernel, permutations: 200, seed: 1 });
      const test = mmdTest(x, shifted, { kernel, permutations: 200, seed: 1 });
      // Against itself only the estimator's O(1/n) term is left (the pairs (x_i, x_i) across the copies).
      expect(Math.abs(self.mmd2), kernel).toBeLessThan(0.1 * test.mmd2);
      expect(self.pValue, kernel).toBeGreaterThan(0.5);
      expect(test.pValue, kernel).toBeLessThan(0.05);
      expect(test.pValue, kernel).toBeCloseTo(1 / 201, 10); // no permutation reaches the observed value
    }
  });

  it('two samples of one distribution are not told apart; a small shift is', () => {
    const x = gaussian(150, 16, 3);
    for (const kernel of ['linear', 'gaussian'] as const) {
      expect(mmdTest(x, gaussian(150, 16, 4), { kernel, permutations: 200, seed: 1 }).pValue, kernel).toBeGreaterThan(0.05);
      expect(mmdTest(x, gaussian(150, 16, 4, 0.3), { kernel, permutations: 200, seed: 1 }).pValue, kernel).toBeLessThan(0.05);
    }
  });

  it('is deterministic for a seed', () => {
    const x = gaussian(60, 8, 5);
    const y = gaussian(60, 8, 6, 0.1);
    expect(mmdTest(x, y, { kernel: 'gaussian', permutations: 100, seed: 9 })).toEqual(mmdTest(x, y, { kernel: 'gaussian', permutations: 100, seed: 9 }));
  });
});

describe('CORAL distance', () => {
  it('is 0 for the same sample and grows with a change of covariance', () => {
    const x = gaussian(200, 6, 7);
    expect(coralDistance(x, x)).toBe(0);
    const wider = coralDistance(x, gaussian(200, 6, 8, 0, 2));
    const slightly = coralDistance(x, gaussian(200, 6, 8, 0, 1.2));
    expect(wider).toBeGreaterThan(slightly);
    // With fewer images than dimensions the distance comes from Gram matrices: the same value.
    const a = gaussian(20, 64, 9);
    const b = gaussian(25, 64, 10, 0.5, 1.5);
    let direct = 0;
    const [ca, cb] = [covariance(a), covariance(b)];
    for (let i = 0; i < ca.length; i++) direct += (ca[i]! - cb[i]!) ** 2;
    expect(coralDistance(a, b)).toBeCloseTo(direct / (4 * 64 * 64), 10);
    // A pure shift leaves covariances alone.
    expect(coralDistance(x, { ...x, values: x.values.map((v) => v + 3) })).toBeLessThan(1e-10);
  });
});

describe('proxy A-distance', () => {
  it('a logistic regression separates separable data', () => {
    const points = stack(gaussian(50, 5, 1, -2), gaussian(50, 5, 2, 2));
    const labels = Uint8Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : 1));
    expect(errorRate(fitLogisticRegression(points, labels, 0.01), points, labels)).toBe(0);
  });

  it('grows with a synthetic shift, from ≈ 0 (same distribution) to ≈ 2 (separable)', () => {
    const x = gaussian(150, 20, 11);
    const distances = [0, 0.15, 0.4, 1.5].map((shift) => proxyADistance(x, gaussian(150, 20, 12, shift), 3).distance);
    for (let i = 1; i < distances.length; i++) expect(distances[i]!).toBeGreaterThan(distances[i - 1]!);
    expect(distances[0]!).toBeLessThan(0.5);
    expect(distances[3]!).toBeGreaterThan(1.8);
  });

  it('the plain-language line reads the numbers', () => {
    const rows = [
      { measure: 'proxy_a_distance', className: null, value: 1.7, pValue: null, sourceImages: 10, targetImages: 10, note: null },
      { measure: 'mmd_gaussian', className: null, value: 0.3, pValue: 0.002, sourceImages: 10, targetImages: 10, note: null },
    ];
    expect(similarityLine(rows)).toBe('far apart: proxy A-distance 1.70 of 2 (a linear classifier tells the domains apart 93% of the time); MMD test: the feature distributions differ (p = 0.002)');
  });
});
