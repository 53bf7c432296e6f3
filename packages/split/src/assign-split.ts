import { createHash } from 'node:crypto';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** As TensorFlow's retrain.py: hashes are taken modulo 2^27 − 1 + 1 and scaled to a percentage. */
const MAX_IMAGES_PER_CLASS = 2 ** 27 - 1;

/**
 * Stable percentage in [0, 100] of a file, from the sha1 of its path relative to the dataset root
 * with everything from `_nohash_` on removed (so `x_nohash_1.jpg` and `x_nohash_2.jpg` land together).
 * It depends on nothing but the path, so adding images never moves existing ones.
 */
export function pathPercentage(relativePath: string): number {
  const hashName = relativePath.replace(/_nohash_.*$/, '');
  const digest = createHash('sha1').update(hashName, 'utf8').digest('hex');
  const bucket = Number(BigInt(`0x${digest}`) % BigInt(MAX_IMAGES_PER_CLASS + 1));
  return bucket * (100 / MAX_IMAGES_PER_CLASS);
}

/** retrain.py's rule: [0, validation) → validation, [validation, validation + test) → test, rest → train. */
export function splitOfPercentage(percentage: number, validationPercent: number, testPercent: number): Split {
  if (percentage < validationPercent) return 'validation';
  if (percentage < validationPercent + testPercent) return 'test';
  return 'train';
}

/**
 * Assign the images of one class. With `testPattern`, the matching paths are the test split and the
 * others go to validation or train by hash, with no rebalancing. Otherwise, when the class has at least 3 images, every split gets at least
 * one: an empty split takes, from the largest split, the image whose percentage lies nearest to
 * the empty split's band (deterministic; only very small classes are affected).
 */
export function assignClassSplits(paths: readonly string[], validationPercent: number, testPercent: number, testPattern?: RegExp): Split[] {
  const percentages = paths.map(pathPercentage);
  // A given test set: exactly the matching paths; the rest by hash into validation and train.
  if (testPattern) return paths.map((path, i) => (testPattern.test(path) ? 'test' : splitOfPercentage(percentages[i]!, validationPercent, 0)));
  const splits = percentages.map((p) => splitOfPercentage(p, validationPercent, testPercent));
  if (paths.length < SPLITS.length) return splits;
  const bandCentre: Record<Split, number> = {
    validation: validationPercent / 2,
    test: validationPercent + testPercent / 2,
    train: (validationPercent + testPercent + 100) / 2,
  };
  for (;;) {
    const counts = countSplits(splits);
    const empty = SPLITS.find((split) => counts[split] === 0);
    if (!empty) return splits;
    const donor = [...SPLITS].sort((a, b) => counts[b] - counts[a])[0]!;
    let best = -1;
    for (let i = 0; i < paths.length; i++) {
      if (splits[i] !== donor) continue;
      if (best < 0 || Math.abs(percentages[i]! - bandCentre[empty]) < Math.abs(percentages[best]! - bandCentre[empty])) best = i;
    }
    splits[best] = empty;
  }
}

export function countSplits(splits: readonly Split[]): Record<Split, number> {
  const counts: Record<Split, number> = { train: 0, validation: 0, test: 0 };
  for (const split of splits) counts[split]++;
  return counts;
}
