import { defineStage } from '@graft/core/base';

/** split: scan the class folders, reject unreadable files, assign train / validation / test. */
export const splitStage = defineStage({
  name: 'split',
  package: '@graft/split',
  description: 'Scan <data>/<class>/** for images, reject unreadable files, and assign each image to train / validation / test by a stable hash of its path.',
  readsDataset: true,
  inputs: {},
  outputs: {
    manifest: { file: 'manifest.parquet', schema: 'graft.manifest/2', description: 'One row per usable image: path, class, split, content sha256, size, format, domain (source, or target with --target).' },
    classes: { file: 'classes.parquet', schema: 'graft.classes/1', description: 'One row per class folder: index, name, image counts per split, and why a class was left out.' },
    rejected: { file: 'rejected.parquet', schema: 'graft.rejected/1', description: 'Files that are not usable images, with the reason.' },
  },
  params: {
    validationPercent: { type: 'number', default: 10, min: 0, max: 100, description: 'Percentage of each class assigned to validation.' },
    testPercent: { type: 'number', default: 10, min: 0, max: 100, description: 'Percentage of each class assigned to test.' },
    minImagesPerClass: { type: 'integer', default: 3, min: 1, max: 1_000_000, description: 'Classes with fewer usable images are left out (reported in classes.parquet).' },
    testPattern: {
      type: 'string', default: '',
      description: 'Regular expression on the path relative to the data folder: the images it matches are the test split (e.g. an official test set) and the rest is divided into train and validation by hash (--test-percent is not used); empty = all by hash.',
    },
    targetTestPercent: { type: 'number', default: 50, min: 0, max: 100, description: 'With --target: percentage of the target images held out as the target test set (never used for adaptation; scored by evaluate where labelled).' },
    maxPixels: { type: 'integer', default: 250_000_000, min: 1, max: 4_000_000_000, description: 'Images with more pixels (width × height, from the header) are rejected as possible decompression bombs.' },
  },
});
