/**
 * `@graft/train/head`: fitting and applying heads with Graft's own kernels, and reading the head
 * train saved — without tfjs (what the doctor and evaluate need of train).
 */
export { trainHead, defaultTrainingOptions } from './head-training.js';
export type { TrainingOptions } from './head-training.js';
export { headProbabilities } from './head-probabilities.js';
export { headShapeOf, readHeadModel, writeHeadModel } from './head-model-file.js';
export { pickRows } from './features.js';
export type { LabelledFeatures } from './features.js';
export { stratifiedFolds } from './l2-selection.js';
export type { TrainedHead } from './head.js';
