import { existsSync } from 'node:fs';
import { headProbabilities, readHeadModel } from '@graft/train/head';
import type { Classifier } from './selection.js';

/** The train stage's head, as a recommendation candidate: what users deploy without --target. */
export const TRAIN_HEAD = 'train-head';

/**
 * Train's head (raw features in, probabilities out) as a Classifier, when train has run on features of
 * this dimension and these classes; undefined otherwise (the recommendation then falls back on source-only).
 */
export async function loadTrainHead(path: string, dimension: number, classCount: number): Promise<(Classifier & { dispose(): void }) | undefined> {
  if (!existsSync(path)) return undefined;
  const head = await readHeadModel(path);
  if (head.featureDim !== dimension || head.classCount !== classCount) return undefined;
  return {
    infer: (features, count) => ({ probabilities: headProbabilities(head, features.subarray(0, count * dimension)) }),
    dispose: () => undefined,
  };
}
