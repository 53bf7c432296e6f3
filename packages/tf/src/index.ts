export { useTfjsBackend, TFJS_BACKENDS, tf } from './backend.js';
export type { TfjsBackend } from './backend.js';
export { readModelArtifacts, writeModelArtifacts, saveLayersModel, loadLayersModel, concatenate } from './model-io.js';
export type { ModelArtifacts } from './model-io.js';
export { predictProbabilities } from './predict.js';
