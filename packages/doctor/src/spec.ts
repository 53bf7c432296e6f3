import { defineStage, inputFrom } from '@graft/core/base';
import { splitStage } from '@graft/split/spec';
import { extractStage } from '@graft/extract/spec';
import { trainStage } from '@graft/train/spec';

/** A similarity in (0, 1], or auto. */
const SIMILARITY = String.raw`(?:0?\.\d*[1-9]\d*|1(?:\.0*)?)`;

/**
 * doctor: what is wrong with the dataset, found from the cached features and content hashes
 * without another network pass — duplicates and leaks, likely label errors, outliers.
 */
export const doctorStage = defineStage({
  name: 'doctor',
  package: '@graft/doctor',
  description: 'Check the dataset from its cached features and content hashes: exact and near duplicates across classes (label conflicts) and splits (test leaks), likely label errors (confident learning on out-of-fold predictions), and outliers far from every class.',
  // The dataset folder is read for the pixel descriptors of near-duplicate search (a decode, no network pass).
  readsDataset: true,
  inputs: { bottlenecks: inputFrom(extractStage, 'bottlenecks'), classes: inputFrom(splitStage, 'classes'), head: inputFrom(trainStage, 'head') },
  outputs: {
    duplicates: { file: 'duplicates.parquet', schema: 'graft.duplicates/1', description: 'One row per pair of images that are the same picture: kind (exact = same bytes, near = pixel or feature similarity ≥ the threshold), similarity, finding (label-conflict, test-leak, validation-leak, same-class), and both images\' path, class and split.' },
    labelIssues: { file: 'label-issues.parquet', schema: 'graft.label-issues/1', description: 'One row per labelled image, most suspect first: out-of-fold probability of its class, the suggested class and its probability, margin, flagged (confident learning), rank.' },
    outliers: { file: 'outliers.parquet', schema: 'graft.outliers/1', description: 'One row per image, farthest first: 1 − cosine similarity of its features to the nearest class direction (that class), robust z-score, flagged, rank.' },
    summary: { file: 'summary.json', description: 'Counts of every finding, the leaked test images, the near-duplicate rule used (pixels or features, threshold, where it comes from), files not compared.' },
  },
  params: {
    doctorNearBy: {
      type: 'string', default: 'pixels', choices: ['pixels', 'features'],
      description: 'What near duplicates are found by: pixels = the correlation of 16×16 grey thumbnails (finds resized and re-encoded copies, measured); features = cosine of standardized bottleneck features (the backbone decides how well; see the README).',
    },
    doctorNearThreshold: {
      type: 'string', default: 'auto', pattern: new RegExp(`^(?:auto|${SIMILARITY})$`), expected: 'auto or a number in (0, 1]',
      description: 'Similarity (see --doctor-near-by) at or above which two different files count as the same picture; auto = the value measured on resized, re-encoded and cropped copies against distinct images, per backbone for features (packages/doctor/measured).',
    },
    doctorFolds: { type: 'integer', default: 5, min: 2, max: 50, description: 'Folds of the out-of-fold predictions label errors are found from (every image scored by a head fitted without it).' },
    doctorMaxPairs: { type: 'integer', default: 100_000, min: 1, max: 10_000_000, description: 'Near-duplicate pairs kept at most (the count of those not kept is reported).' },
    doctorSeed: { type: 'integer', default: 42, min: 0, max: 2 ** 31 - 1, description: 'Seed of the out-of-fold split.' },
  },
});
