/**
 * `@graft/extract/tables`: reading extract's artifacts and the feature cache, without the backbones
 * and engines (tfjs, onnxruntime, sharp) — what the later stages need of extract.
 */
export { readBottlenecks } from './tables.js';
export type { Bottlenecks } from './tables.js';
export { readAugmented } from './augment/augmented-table.js';
export { selectDomain } from './select-domain.js';
export { FeatureCache } from './feature-cache.js';
