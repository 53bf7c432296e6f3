export { exportStage } from './spec.js';
export { runExport } from './run.js';
export { exportDefinition } from './definition.js';
export { buildClassifier, loadTrainedBackbone, INPUT_SCALING_LAYER } from './classifier-model.js';
export { readExportMetadata, METADATA_FILE } from './export-metadata.js';
export type { ExportMetadata, ExportedBackbone } from './export-metadata.js';
export { classifyImages, topK, PREDICT_ENGINES } from './predict/classify-images.js';
export type { PredictOptions, PredictResult, ImageResult, Prediction } from './predict/classify-images.js';
export { collectFiles } from './predict/collect-files.js';
