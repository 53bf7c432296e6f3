import { defineStage, inputFrom } from '@graft/core/base';
import { extractStage } from '@graft/extract/spec';

/** similarity: how far apart the source and target domains are, measured on their bottleneck features. */
export const similarityStage = defineStage({
  name: 'similarity',
  package: '@graft/similarity',
  description: 'Measure how far apart the source and target (--target) bottleneck distributions are: linear and multi-kernel MMD with permutation tests, CORAL distance, proxy A-distance, per-class MMD.',
  readsDataset: false,
  needsTarget: true,
  inputs: { bottlenecks: inputFrom(extractStage, 'bottlenecks') },
  outputs: {
    similarity: { file: 'similarity.parquet', schema: 'graft.similarity/1', description: 'One row per measure (and per class for per-class MMD): value, permutation-test p-value, images used.' },
    summary: { file: 'summary.json', description: 'The plain-language line and the headline numbers.' },
  },
  params: {
    similarityPermutations: { type: 'integer', default: 500, min: 1, max: 100_000, description: 'Permutations of the MMD permutation tests (the smallest p-value is 1 / (permutations + 1)).' },
    similarityMaxImages: { type: 'integer', default: 1000, min: 4, max: 100_000, description: 'At most this many images per domain (seeded subsample): the measures are quadratic in it.' },
    similaritySeed: { type: 'integer', default: 42, min: 0, max: 2 ** 31 - 1, description: 'Seed of subsampling, permutations and the domain classifier\'s halves.' },
  },
});
