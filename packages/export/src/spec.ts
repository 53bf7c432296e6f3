import { defineStage, inputFrom } from '@graft/core/base';
import { trainStage } from '@graft/train/spec';
import { adaptStage } from '@graft/adapt/spec';

/** export: the frozen backbone and the trained head as one model, images in, probabilities out: tfjs, or ONNX for a converted (TFLite) backbone. */
export const exportStage = defineStage({
  name: 'export',
  package: '@graft/export',
  description: 'Write one model that takes images and returns class probabilities (frozen backbone + trained head, or with --target the head adapt recommends), with its metadata.json: a tfjs model for Node.js and browsers, or an ONNX model for a backbone imported from TFLite.',
  readsDataset: false,
  inputs: {
    model: inputFrom(trainStage, 'model'), modelWeights: inputFrom(trainStage, 'modelWeights'), labels: inputFrom(trainStage, 'labels'),
    // Domain adaptation (--target): adapt's recommended model, deployed instead of the train head when present.
    adaptModel: inputFrom(adaptStage, 'model', { optional: true }), adaptModelWeights: inputFrom(adaptStage, 'modelWeights', { optional: true }),
  },
  outputs: {
    model: { file: 'model/model.json', optional: true, description: 'tfjs LayersModel: RGB pixels 0..255, float32 [n, size, size, 3] in; class probabilities [n, classes] out (tfjs backbones).' },
    modelWeights: { file: 'model/weights.bin', optional: true, description: 'Weights of the exported tfjs model (float32).' },
    onnx: { file: 'model/model.onnx', optional: true, description: 'ONNX model, same input and output as model.json (ONNX backbones: ONNX files, TFLite files converted; they run on onnxruntime).' },
    graphBackbone: { file: 'model/backbone/model.json', optional: true, description: 'tfjs graph-model backbones: the backbone as given (cut at the feature node recorded in metadata.json), with its weights.bin.' },
    graphHead: { file: 'model/head/model.json', optional: true, description: 'tfjs graph-model backbones: the trained head (features in, probabilities out), with its weights.bin.' },
    metadata: { file: 'model/metadata.json', schema: 'graft.export/1', description: 'Labels, input size and preprocessing, backbone identity, head shape and provenance of the exported model.' },
  },
  params: {},
});

/** The choices of `graft predict --engine`, here so the CLI describes them without loading the engines. */
export { PREDICT_ENGINES } from './predict/predict-engines.js';
