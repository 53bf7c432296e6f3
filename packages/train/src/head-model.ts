import { tf } from '@graft/tf';
import type { SoftmaxHead } from './softmax-training.js';

/** The head as a tfjs LayersModel: features [n, D] in, class probabilities [n, C] out. */
export function headToLayersModel(head: SoftmaxHead): tf.Sequential {
  const model = tf.sequential({ name: 'graft_head' });
  model.add(tf.layers.dense({ inputShape: [head.featureDim], units: head.classCount, activation: 'softmax', name: 'final_result' }));
  model.layers[0]!.setWeights([tf.tensor2d(head.weights, [head.featureDim, head.classCount]), tf.tensor1d(head.bias)]);
  return model;
}
