import { SeededRandom } from '@graft/core';
import { columnMoments, stack, standardise, subsample, type Sample } from './samples.js';
import { errorOnGram, fitOnGram } from './logistic-regression.js';
import { linearKernel } from './mmd.js';

/** L2 strengths tried for the domain classifier (chosen by 2-fold cross-validation on the training half). */
const L2_GRID = [1e-3, 1e-2, 1e-1, 1] as const;

export interface ProxyADistance {
  /** 2 (1 − 2ε), clamped to [0, 2]: 0 = the domains cannot be told apart, 2 = perfectly separable. */
  readonly distance: number;
  /** Held-out error ε of the domain classifier (mean over the two halves). */
  readonly error: number;
  /** Images per domain used (the larger domain is subsampled to the smaller). */
  readonly perDomain: number;
}

/** Train on rows `train` with the L2 strength that does best in 2-fold CV inside them; return the error on rows `test`. */
function heldOutError(gram: Float64Array, size: number, labels: Uint8Array, train: number[], test: number[], random: SeededRandom): number {
  const order = random.shuffle([...train]);
  const folds = [order.filter((_, i) => i % 2 === 0), order.filter((_, i) => i % 2 === 1)];
  let best: number = L2_GRID[0];
  let bestError = Infinity;
  for (const l2 of L2_GRID) {
    let error = 0;
    for (let f = 0; f < 2; f++) error += errorOnGram(fitOnGram(gram, size, folds[f]!, labels, l2), gram, size, folds[1 - f]!, labels) / 2;
    if (error < bestError) [best, bestError] = [l2, error];
  }
  return errorOnGram(fitOnGram(gram, size, train, labels, best), gram, size, test, labels);
}

/**
 * Proxy A-distance (Ben-David et al. 2007): a linear domain classifier (L2 logistic regression on
 * standardised features) is trained on one half of each domain and tested on the other half, and the
 * other way round; with its error ε, the distance is 2 (1 − 2ε). Domains are balanced first.
 */
export function proxyADistance(source: Sample, target: Sample, seed: number): ProxyADistance {
  const random = new SeededRandom(seed);
  const perDomain = Math.min(source.count, target.count);
  if (perDomain < 4) throw new Error(`proxy A-distance needs at least 4 images per domain, got ${perDomain}`);
  const pooled = stack(subsample(source, perDomain, random), subsample(target, perDomain, random));
  const size = pooled.count;
  const gram = linearKernel(standardise(pooled, columnMoments(pooled)));
  const labels = new Uint8Array(size);
  labels.fill(1, perDomain);
  // Halves drawn within each domain, so both halves stay balanced.
  const halves: number[][] = [[], []];
  for (const offset of [0, perDomain]) {
    const order = random.shuffle(Array.from({ length: perDomain }, (_, i) => offset + i));
    order.forEach((row, i) => halves[i % 2]!.push(row));
  }
  const error = (heldOutError(gram, size, labels, halves[0]!, halves[1]!, random) + heldOutError(gram, size, labels, halves[1]!, halves[0]!, random)) / 2;
  return { distance: Math.min(2, Math.max(0, 2 * (1 - 2 * error))), error, perDomain };
}
