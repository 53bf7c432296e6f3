export { trainStage } from './spec.js';
export { runTrain } from './run.js';
export { trainDefinition } from './definition.js';
export { trainSoftmax, makeBatchSampler } from './softmax-training.js';
export type { CurvePoint, SoftmaxHead, TrainingOptions } from './softmax-training.js';
export { headToLayersModel } from './head-model.js';
export { readHead, readMetrics } from './tables.js';
export { selectSplit } from './features.js';
export type { LabelledFeatures } from './features.js';
