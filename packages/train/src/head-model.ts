import { tf } from '@graft/tf';
import type { DenseWeights, TrainedHead } from './head.js';

import { HEAD_LAYER_NAMES } from './head-layer-names.js';

export { HEAD_LAYER_NAMES };

/**
 * Apply the head's layers, with the trained weights, to a symbolic features tensor [n, D];
 * returns the class probabilities [n, C]. Dropout is a training-time operation and is not part of
 * the model. (Weights are set after `apply`, which names them `<layer>/kernel`, `<layer>/bias`.)
 */
export function applyHead(head: TrainedHead, features: tf.SymbolicTensor): tf.SymbolicTensor {
  const dense = (x: tf.SymbolicTensor, weights: DenseWeights, config: { name: string; activation: 'relu' | 'elu' | 'tanh' | 'sigmoid' | 'softmax' }) => {
    const layer = tf.layers.dense({ units: weights.units, ...config });
    const y = layer.apply(x) as tf.SymbolicTensor;
    tf.tidy(() => layer.setWeights([tf.tensor2d(weights.kernel, [weights.inputDim, weights.units]), tf.tensor1d(weights.bias)]));
    return y;
  };
  const hidden = head.hidden ? dense(features, head.hidden, { name: HEAD_LAYER_NAMES.hidden, activation: head.hidden.activation }) : features;
  return dense(hidden, head.output, { name: HEAD_LAYER_NAMES.output, activation: 'softmax' });
}

/** The head as a tfjs LayersModel: features [n, D] in, class probabilities [n, C] out. */
export function headToLayersModel(head: TrainedHead): tf.LayersModel {
  const input = tf.input({ shape: [head.featureDim], name: 'features' });
  return tf.model({ inputs: input, outputs: applyHead(head, input), name: 'graft_head' });
}
