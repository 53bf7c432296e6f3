import { SeededRandom } from '@graft/core';
import { stack, subsample, type Sample } from './samples.js';
import { linearKernel, mmdTest, KERNEL_SCALES } from './mmd.js';
import { coralDistance } from './coral.js';
import { proxyADistance } from './proxy-a-distance.js';

/** One measured distance between the source and target feature distributions. */
export interface SimilarityRow {
  /** `mmd_linear`, `mmd_gaussian` (multi-kernel), `coral` or `proxy_a_distance`. */
  readonly measure: string;
  /** Set for per-class rows (target labels, evaluation-only diagnostics); null for the whole domains. */
  readonly className: string | null;
  readonly value: number;
  /** Permutation-test p-value (MMD rows); null otherwise. */
  readonly pValue: number | null;
  readonly sourceImages: number;
  readonly targetImages: number;
  readonly note: string | null;
}

export interface SimilarityOptions {
  readonly permutations: number;
  /** Images per domain at most (seeded subsample): MMD is quadratic in the number of images. */
  readonly maxImages: number;
  readonly seed: number;
}

/** A labelled class of both domains, for per-class MMD. */
export interface ClassPair {
  readonly className: string;
  readonly source: Sample;
  readonly target: Sample;
}

/** All distances between two feature samples, then per-class MMD where target labels exist. */
export function measureSimilarity(sourceAll: Sample, targetAll: Sample, classes: readonly ClassPair[], options: SimilarityOptions): SimilarityRow[] {
  const random = new SeededRandom(options.seed);
  const source = subsample(sourceAll, options.maxImages, random);
  const target = subsample(targetAll, options.maxImages, random);
  const counts = { sourceImages: source.count, targetImages: target.count };
  const gram = linearKernel(stack(source, target));
  const linear = mmdTest(source, target, { kernel: 'linear', permutations: options.permutations, seed: options.seed, gram });
  const gaussian = mmdTest(source, target, { kernel: 'gaussian', permutations: options.permutations, seed: options.seed, gram });
  const pad = proxyADistance(source, target, options.seed);
  const rows: SimilarityRow[] = [
    { measure: 'mmd_linear', className: null, value: linear.mmd2, pValue: linear.pValue, ...counts, note: `unbiased MMD², linear kernel; ${linear.permutations} permutations` },
    {
      measure: 'mmd_gaussian', className: null, value: gaussian.mmd2, pValue: gaussian.pValue, ...counts,
      note: `unbiased MMD², mean of Gaussian kernels exp(-d²/(s·m)), s in {${KERNEL_SCALES.join(', ')}}, median heuristic m = ${gaussian.bandwidth!.toPrecision(4)}; ${gaussian.permutations} permutations`,
    },
    { measure: 'coral', className: null, value: coralDistance(source, target), pValue: null, ...counts, note: 'squared Frobenius distance of the feature covariances / (4 d²)' },
    {
      measure: 'proxy_a_distance', className: null, value: pad.distance, pValue: null, sourceImages: pad.perDomain, targetImages: pad.perDomain,
      note: `2(1 - 2ε), ε = ${pad.error.toFixed(4)}: held-out error of a linear domain classifier (train on one half, test on the other, both ways)`,
    },
  ];
  for (const pair of classes) {
    if (pair.source.count < 2 || pair.target.count < 2) continue;
    const s = subsample(pair.source, options.maxImages, random);
    const t = subsample(pair.target, options.maxImages, random);
    const test = mmdTest(s, t, { kernel: 'gaussian', permutations: options.permutations, seed: options.seed, bandwidth: gaussian.bandwidth! });
    rows.push({ measure: 'mmd_gaussian', className: pair.className, value: test.mmd2, pValue: test.pValue, sourceImages: s.count, targetImages: t.count, note: 'per class (target labels: a diagnostic, never used for training); bandwidth of the whole-domain test' });
  }
  return rows;
}
