import { existsSync } from 'node:fs';
import { loadLayersModel, predictProbabilities } from '@graft/tf';
import type { Classifier } from './selection.js';

/** The train stage's head, as a recommendation candidate: what users deploy without --target. */
export const TRAIN_HEAD = 'train-head';

/**
 * Train's head (raw features in, probabilities out) as a Classifier, when train has run on features of
 * this dimension and these classes; undefined otherwise (the recommendation then falls back on source-only).
 */
export async function loadTrainHead(path: string, dimension: number, classCount: number): Promise<(Classifier & { dispose(): void }) | undefined> {
  if (!existsSync(path)) return undefined;
  const model = await loadLayersModel(path);
  if (model.inputs[0]!.shape[1] !== dimension || model.outputs[0]!.shape[1] !== classCount) {
    model.dispose();
    return undefined;
  }
  return {
    infer: (features, count) => ({ probabilities: predictProbabilities(model, features.subarray(0, count * dimension), dimension, classCount) }),
    dispose: () => model.dispose(),
  };
}
