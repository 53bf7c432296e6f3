import type { InputRange } from '../preprocessing.js';
import type { NsfwjsModel } from './bundled-weights.js';

/** A pretrained network shipped with Graft's dependencies, cut at a feature layer. */
export interface BundledBackbone {
  readonly description: string;
  /** Which bundled weights (a model folder inside the nsfwjs package). */
  readonly weights: NsfwjsModel;
  /** Layer whose output (globally average-pooled when 4-D) is the feature vector. */
  readonly layer: string;
  readonly inputSize: number;
  readonly inputRange: InputRange;
  readonly featureDim: number;
  readonly licence: string;
}

const NSFWJS_LICENCE = 'MIT — weights from the nsfwjs npm package (Infinite Red): ImageNet-initialised, top layers fine-tuned on a 5-class content task';

/**
 * The bundled backbones. InceptionV3's top blocks (mixed6 on) were retrained by nsfwjs for its
 * own task; its mid-level `mixed7` block generalises better on other data (README, "Backbones").
 */
export const BUNDLED_BACKBONES = Object.freeze({
  inception_v3: {
    description: 'InceptionV3, 299 px, 2048-d pooled features (the classic retrain.py bottleneck)',
    weights: 'inception_v3', layer: 'flatten_1', inputSize: 299, inputRange: '0,1', featureDim: 2048, licence: NSFWJS_LICENCE,
  },
  inception_v3_mixed7: {
    description: 'InceptionV3 cut after block mixed7, 299 px, 768-d globally pooled features',
    weights: 'inception_v3', layer: 'mixed7', inputSize: 299, inputRange: '0,1', featureDim: 768, licence: NSFWJS_LICENCE,
  },
  mobilenet_v2: {
    description: 'MobileNetV2, 224 px, 1280-d pooled features',
    weights: 'mobilenet_v2', layer: 'flatten_1', inputSize: 224, inputRange: '0,1', featureDim: 1280, licence: NSFWJS_LICENCE,
  },
} satisfies Record<string, BundledBackbone>);

export type BundledBackboneId = keyof typeof BUNDLED_BACKBONES;
export const BUNDLED_BACKBONE_IDS = Object.keys(BUNDLED_BACKBONES) as BundledBackboneId[];
