export { evaluateStage } from './spec.js';
export { runEvaluate } from './run.js';
export { evaluateDefinition } from './definition.js';
export { classificationMetrics } from './metrics.js';
export type { ClassMetrics, ClassificationMetrics } from './metrics.js';
export { predictProbabilities, argmaxRows } from './predict-features.js';
export { evaluateTarget, targetHeadline } from './target-evaluation.js';
export type { MethodScore, TargetEvaluation } from './target-evaluation.js';
