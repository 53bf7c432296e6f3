import type { InputRange } from '../preprocessing.js';
import type { NsfwjsModel } from './bundled-weights.js';

interface BackboneEntry {
  readonly description: string;
  /** Layer (tfjs) or tensor (TFLite) whose value, globally average-pooled when 4-D, is the feature vector. */
  readonly layer: string;
  readonly inputSize: number;
  readonly featureDim: number;
  readonly licence: string;
  /** Where the weights come from, in words. */
  readonly source: string;
}

/** A network whose tfjs weights ship inside the nsfwjs npm package: available offline after `npm ci`. */
export interface BundledBackbone extends BackboneEntry {
  readonly kind: 'bundled';
  readonly weights: NsfwjsModel;
  readonly inputRange: InputRange;
}

/**
 * A network downloaded on first use from a pinned public URL, verified by sha256 and cached
 * (`GRAFT_MODEL_MIRROR`, a folder or base URL holding the same file name, serves it offline).
 */
export interface DownloadedBackbone extends BackboneEntry {
  readonly kind: 'download';
  readonly format: 'tflite';
  /** Input value = pixel × scale + offset: the model's uint8 input quantization (checked against the file in tests). */
  readonly input: { readonly scale: number; readonly offset: number };
  readonly file: string;
  readonly url: string;
  readonly sha256: string;
  readonly bytes: number;
}

export type Backbone = BundledBackbone | DownloadedBackbone;

const NSFWJS_LICENCE = 'MIT — weights from the nsfwjs npm package (Infinite Red): ImageNet-initialised, top layers fine-tuned on a 5-class content task';
const NSFWJS_SOURCE = 'npm package nsfwjs (bundled weights)';
const CORAL_TEST_DATA = 'https://raw.githubusercontent.com/google-coral/test_data/104342d2d3480b3e66203073dac24f4e2dbb4c41';
const CORAL_LICENCE = 'Apache-2.0 — TensorFlow\'s ImageNet-trained MobileNet, uint8-quantized (google-coral/test_data)';

/**
 * The named backbones. InceptionV3's top blocks (mixed6 on) were retrained by nsfwjs for its own
 * task; its mid-level `mixed7` block generalises better on other data (README, "Backbones"). The
 * ImageNet MobileNets are TFLite files converted to ONNX in-process and run by onnxruntime.
 */
export const BACKBONES = Object.freeze({
  inception_v3: {
    kind: 'bundled', description: 'InceptionV3, 299 px, 2048-d pooled features (the classic retrain.py bottleneck)',
    weights: 'inception_v3', layer: 'flatten_1', inputSize: 299, inputRange: '0,1', featureDim: 2048, licence: NSFWJS_LICENCE, source: NSFWJS_SOURCE,
  },
  inception_v3_mixed7: {
    kind: 'bundled', description: 'InceptionV3 cut after block mixed7, 299 px, 768-d globally pooled features',
    weights: 'inception_v3', layer: 'mixed7', inputSize: 299, inputRange: '0,1', featureDim: 768, licence: NSFWJS_LICENCE, source: NSFWJS_SOURCE,
  },
  mobilenet_v2: {
    kind: 'bundled', description: 'MobileNetV2, 224 px, 1280-d pooled features',
    weights: 'mobilenet_v2', layer: 'flatten_1', inputSize: 224, inputRange: '0,1', featureDim: 1280, licence: NSFWJS_LICENCE, source: NSFWJS_SOURCE,
  },
  mobilenet_v2_imagenet: {
    kind: 'download', format: 'tflite', description: 'MobileNetV2 1.0 trained on ImageNet (TFLite, uint8), 224 px, 1280-d pooled features',
    file: 'mobilenet_v2_1.0_224_quant.tflite', url: `${CORAL_TEST_DATA}/mobilenet_v2_1.0_224_quant.tflite`,
    sha256: '7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776', bytes: 3_610_798,
    layer: 'MobilenetV2/Logits/AvgPool', inputSize: 224, input: { scale: 1 / 128, offset: -1 }, featureDim: 1280, licence: CORAL_LICENCE, source: 'downloaded on first use (3.6 MB), pinned URL + sha256',
  },
  mobilenet_v1_imagenet: {
    kind: 'download', format: 'tflite', description: 'MobileNetV1 1.0 trained on ImageNet (TFLite embedding extractor, uint8), 224 px, 1024-d pooled features',
    file: 'mobilenet_v1_1.0_224_quant_embedding_extractor.tflite', url: `${CORAL_TEST_DATA}/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite`,
    sha256: 'f409ef4f73fcbb9667841965623c5c8524aac33d41b9bf5f3667161fb4a76319', bytes: 3_251_736,
    layer: 'MobilenetV1/Logits/AvgPool_1a/AvgPool', inputSize: 224, input: { scale: 1 / 128, offset: -1 }, featureDim: 1024, licence: CORAL_LICENCE, source: 'downloaded on first use (3.3 MB), pinned URL + sha256',
  },
} satisfies Record<string, Backbone>);

export type BackboneId = keyof typeof BACKBONES;
export const BACKBONE_IDS = Object.keys(BACKBONES) as BackboneId[];

/** The entry of a named backbone, or undefined. */
export function backboneEntry(id: string): Backbone | undefined {
  return Object.hasOwn(BACKBONES, id) ? (BACKBONES[id as BackboneId] as Backbone) : undefined;
}
