import { defineStage, inputFrom } from '@graft/core/base';
import { splitStage } from '@graft/split/spec';
import { BACKBONE_IDS } from './backbones/registry.js';
import { ENGINE_CHOICES } from './engines/engine.js';
import { INPUT_RANGES } from './input-ranges.js';

/** extract: run every manifest image once through the frozen backbone and store its feature vector. */
export const extractStage = defineStage({
  name: 'extract',
  package: '@graft/extract',
  description: 'Compute the bottleneck feature vector of every manifest image with a frozen pretrained backbone (cached by content hash).',
  readsDataset: true,
  inputs: { manifest: inputFrom(splitStage, 'manifest') },
  outputs: {
    bottlenecks: { file: 'bottlenecks.parquet', schema: 'graft.bottlenecks/2', description: 'Manifest columns (domain included) plus a FixedSizeList<Float32> feature column, one row per extracted image.' },
    skipped: { file: 'skipped.parquet', schema: 'graft.rejected/1', description: 'Manifest images that could not be decoded at extraction time, with the reason.' },
    augmented: { file: 'augmented.parquet', schema: 'graft.augmented/1', description: 'Distorted copies of train-split images (--augment-copies per image): path, class, copy index, distortion JSON, feature. Empty without augmentation.' },
  },
  params: {
    backbone: { type: 'string', default: 'inception_v3_mixed7', choices: BACKBONE_IDS, description: 'Pretrained backbone (see `graft backbones`): bundled ones work offline; *_imagenet ones download a pinned file on first use (or read it from GRAFT_MODEL_MIRROR).' },
    model: { type: 'string', default: '', description: 'Path or URL of a tfjs layers model.json, a TensorFlow Lite .tflite or an ONNX .onnx file to use instead of --backbone (needs --layer).' },
    layer: { type: 'string', default: '', description: 'Feature layer (tfjs), tensor (TFLite) or value (ONNX) name of --model (4-D values are globally average-pooled); empty = the backbone\'s own.' },
    inputRange: { type: 'string', default: 'auto', choices: ['auto', ...Object.keys(INPUT_RANGES)], description: 'Pixel range --model expects; auto = the model\'s own (a TFLite input\'s quantization or metadata; 0,1 for tfjs and ONNX models). Named backbones define their own.' },
    inputNormalization: { type: 'string', default: 'none', choices: ['none', 'imagenet'], description: 'Per-channel normalization an ONNX --model expects after --input-range: imagenet = (x − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225], torchvision\'s (with --input-range 0,1).' },
    engine: { type: 'string', default: 'auto', choices: ENGINE_CHOICES, description: 'Inference engine; auto = tfjs-node if installed, else onnxruntime, else tfjs-wasm.' },
    inferenceBatchSize: { type: 'integer', default: 16, min: 1, max: 1024, description: 'Images per inference call.' },
    threads: { type: 'integer', default: 0, min: 0, max: 256, description: 'Inference threads; 0 = one per CPU core.' },
    decodeConcurrency: { type: 'integer', default: 0, min: 0, max: 256, description: 'Images decoded at once (libvips threads); 0 = one per CPU core.' },
    augmentCopies: { type: 'integer', default: 0, min: 0, max: 1000, description: 'Distorted copies of each train-split image whose features are added for training (retrain.py\'s distortions, but cached); 0 = none.' },
    flipLeftRight: { type: 'boolean', default: false, description: 'Distorted copies are mirrored left-right with probability 1/2.' },
    randomCrop: { type: 'number', default: 0, min: 0, max: 100, description: 'Percentage margin cropped off distorted copies at a random position.' },
    randomScale: { type: 'number', default: 0, min: 0, max: 100, description: 'Distorted copies are enlarged by up to this percentage before the crop.' },
    randomBrightness: { type: 'number', default: 0, min: 0, max: 100, description: 'Pixel values of distorted copies are multiplied by a random factor within ± this percentage.' },
    augmentSeed: { type: 'integer', default: 42, min: 0, max: 2 ** 31 - 1, description: 'Seed of the distortions (each copy\'s distortion also depends on its image content and copy index).' },
  },
});
