import { dirname } from 'node:path';
import type { FeatureScaling } from '@graft/linalg';
import type { Bottlenecks } from '@graft/extract';
import { foldScaling, headShapeOf, writeHeadModel, type TrainedHead } from '@graft/train';
import type { NetworkShape } from './network.js';

/**
 * An adapt network's classifier weights (snapshot order: [adaptation kernel, bias,] classifier kernel,
 * bias) as a train-stage head — adaptation layer = hidden ReLU layer — with the input scaling folded
 * into its first layer, so it takes raw features like the train stage's head.
 */
export function adaptedHead(weights: readonly Float32Array[], shape: Pick<NetworkShape, 'inputDim' | 'adaptationUnits' | 'classCount'>, scaling: FeatureScaling): TrainedHead {
  const { inputDim, adaptationUnits: units, classCount } = shape;
  const head: TrainedHead = units > 0
    ? { featureDim: inputDim, classCount, hidden: { kernel: weights[0]!, bias: weights[1]!, inputDim, units, activation: 'relu' }, output: { kernel: weights[2]!, bias: weights[3]!, inputDim: units, units: classCount } }
    : { featureDim: inputDim, classCount, hidden: null, output: { kernel: weights[0]!, bias: weights[1]!, inputDim, units: classCount } };
  return foldScaling(head, scaling);
}

/** What the adapt stage says about the model it writes (model.json's user metadata, with the train head's keys). */
export interface AdaptedModelMetadata {
  readonly method: string;
  readonly tradeoff: number | null;
  readonly step: number;
  readonly rule: string;
}

/** Write the recommended model as train writes its head (tfjs LayersModel files, features in, probabilities out; written without tfjs) with the same metadata keys. */
export async function saveAdaptedHead(modelPath: string, head: TrainedHead, bottlenecks: Bottlenecks, labels: string[], adaptation: AdaptedModelMetadata): Promise<void> {
  await writeHeadModel(head, dirname(modelPath), { labels, backbone: bottlenecks.provenance.backbone, preprocessing: bottlenecks.provenance.preprocessing, head: headShapeOf(head, true), adaptation });
}
