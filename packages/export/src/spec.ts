import { defineStage, inputFrom } from '@graft/core';
import { trainStage } from '@graft/train';

/** export: the frozen backbone and the trained head as one tfjs model, images in, probabilities out. */
export const exportStage = defineStage({
  name: 'export',
  package: '@graft/export',
  description: 'Write one tfjs model that takes images and returns class probabilities (frozen backbone + trained head), with its metadata.json, for Node.js and browsers.',
  readsDataset: false,
  inputs: { model: inputFrom(trainStage, 'model'), modelWeights: inputFrom(trainStage, 'modelWeights'), labels: inputFrom(trainStage, 'labels') },
  outputs: {
    model: { file: 'model/model.json', description: 'tfjs LayersModel: RGB pixels 0..255, float32 [n, size, size, 3] in; class probabilities [n, classes] out.' },
    modelWeights: { file: 'model/weights.bin', description: 'Weights of the exported model (float32).' },
    metadata: { file: 'model/metadata.json', schema: 'graft.export/1', description: 'Labels, input size and preprocessing, backbone identity, head shape and provenance of the exported model.' },
  },
  params: {},
});
