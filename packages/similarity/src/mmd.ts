import { SeededRandom } from '@graft/core';
import { stack, type Sample } from './samples.js';

/** Bandwidth multipliers of the multi-kernel MMD around the median heuristic (as DAN's family of Gaussians). */
export const KERNEL_SCALES = [0.25, 0.5, 1, 2, 4] as const;

/** Squared Euclidean distances between every pair of rows (N × N, row-major, float64), from their Gram matrix. */
export function squaredDistancesFromGram(gram: Float64Array, count: number): Float64Array {
  const distances = new Float64Array(count * count);
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      const distance = Math.max(0, gram[i * count + i]! + gram[j * count + j]! - 2 * gram[i * count + j]!);
      distances[i * count + j] = distance;
      distances[j * count + i] = distance;
    }
  }
  return distances;
}

/** Squared Euclidean distances between every pair of rows (N × N, row-major, float64). */
export function pairwiseSquaredDistances(points: Sample): Float64Array {
  return squaredDistancesFromGram(linearKernel(points), points.count);
}

/** Gram matrix of the linear kernel k(x, y) = x·y (N × N, float64). */
export function linearKernel(points: Sample): Float64Array {
  const { count, dimension, values } = points;
  const gram = new Float64Array(count * count);
  for (let i = 0; i < count; i++) {
    const a = i * dimension;
    for (let j = i; j < count; j++) {
      const b = j * dimension;
      let dot = 0;
      for (let k = 0; k < dimension; k++) dot += values[a + k]! * values[b + k]!;
      gram[i * count + j] = dot;
      gram[j * count + i] = dot;
    }
  }
  return gram;
}

/** Median of the off-diagonal squared distances: the median heuristic's bandwidth. */
export function medianSquaredDistance(distances: Float64Array, count: number): number {
  const offDiagonal = new Float64Array((count * (count - 1)) / 2);
  let n = 0;
  for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) offDiagonal[n++] = distances[i * count + j]!;
  offDiagonal.sort();
  if (n === 0) return 1;
  const median = n % 2 ? offDiagonal[(n - 1) / 2]! : (offDiagonal[n / 2 - 1]! + offDiagonal[n / 2]!) / 2;
  return median > 0 ? median : 1;
}

/**
 * Multi-kernel Gaussian Gram matrix: the mean of exp(−‖x − y‖² / (s · m)) over the scales s, with m
 * the median squared distance (median heuristic) unless a bandwidth is given.
 */
export function multiKernelGaussian(distances: Float64Array, count: number, bandwidth = medianSquaredDistance(distances, count), scales: readonly number[] = KERNEL_SCALES): Float64Array {
  const gram = new Float64Array(distances.length);
  for (let i = 0; i < distances.length; i++) {
    let sum = 0;
    for (const scale of scales) sum += Math.exp(-distances[i]! / (scale * bandwidth));
    gram[i] = sum / scales.length;
  }
  return gram;
}

/**
 * Unbiased MMD² of the two groups of a pooled Gram matrix: `inFirst[i]` says whether row i belongs to
 * the first sample. Diagonal terms are left out of the within-sample means (Gretton et al. 2012, eq. 3).
 */
export function unbiasedMmdSquared(gram: Float64Array, inFirst: Uint8Array): number {
  const count = inFirst.length;
  let first = 0;
  for (let i = 0; i < count; i++) first += inFirst[i]!;
  const second = count - first;
  if (first < 2 || second < 2) return NaN;
  let withinFirst = 0;
  let withinSecond = 0;
  let between = 0;
  for (let i = 0; i < count; i++) {
    const row = i * count;
    // Sums of row i over each group (the row total minus the first group's share).
    let toFirst = 0;
    let total = 0;
    for (let j = 0; j < count; j++) {
      const value = gram[row + j]!;
      total += value;
      toFirst += value * inFirst[j]!;
    }
    if (inFirst[i]) {
      withinFirst += toFirst - gram[row + i]!;
      between += total - toFirst;
    } else {
      withinSecond += total - toFirst - gram[row + i]!;
    }
  }
  return withinFirst / (first * (first - 1)) + withinSecond / (second * (second - 1)) - (2 * between) / (first * second);
}

export interface MmdTest {
  /** Unbiased MMD² estimate. */
  readonly mmd2: number;
  /** Permutation-test p-value: (1 + #permutations with MMD² ≥ observed) / (1 + permutations). */
  readonly pValue: number;
  readonly permutations: number;
}

/**
 * MMD² of a Gram matrix over [first; second] rows with a permutation test: the domain labels are
 * shuffled `permutations` times (seeded) and the observed statistic is ranked among them.
 */
export function permutationTest(gram: Float64Array, firstCount: number, secondCount: number, permutations: number, seed: number): MmdTest {
  const count = firstCount + secondCount;
  const labels = new Uint8Array(count);
  labels.fill(1, 0, firstCount);
  const observed = unbiasedMmdSquared(gram, labels);
  const random = new SeededRandom(seed);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    random.shuffle(labels as unknown as number[]);
    if (unbiasedMmdSquared(gram, labels) >= observed) atLeast++;
  }
  return { mmd2: observed, pValue: (1 + atLeast) / (1 + permutations), permutations };
}

export type KernelKind = 'linear' | 'gaussian';

/**
 * MMD² between two samples with a permutation test, linear or multi-kernel Gaussian (median heuristic
 * unless `bandwidth` is given). `gram`: the linear Gram matrix of [first; second], when already computed.
 */
export function mmdTest(first: Sample, second: Sample, options: { kernel: KernelKind; permutations: number; seed: number; bandwidth?: number; gram?: Float64Array }): MmdTest & { bandwidth: number | null } {
  const count = first.count + second.count;
  const gram = options.gram ?? linearKernel(stack(first, second));
  if (options.kernel === 'linear') return { ...permutationTest(gram, first.count, second.count, options.permutations, options.seed), bandwidth: null };
  const distances = squaredDistancesFromGram(gram, count);
  const bandwidth = options.bandwidth ?? medianSquaredDistance(distances, count);
  return { ...permutationTest(multiKernelGaussian(distances, count, bandwidth), first.count, second.count, options.permutations, options.seed), bandwidth };
}
