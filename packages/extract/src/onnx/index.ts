export { exportLayersModelToOnnx, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME, SUPPORTED_LAYER_CLASSES } from './export-layers-model.js';
export { OnnxExportError } from './export-error.js';
export { SUPPORTED_ACTIVATIONS } from './layer-converters.js';
