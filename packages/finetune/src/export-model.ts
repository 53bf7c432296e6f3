import { tf } from '@graft/tf';
import { originalOutput } from './split-model.js';
import type { HeadWeights } from './train-upper.js';

/**
 * The whole classifier as one tfjs LayersModel: image (NHWC, preprocessed) → backbone (with its
 * fine-tuned layers) → feature layer (globally pooled when 4-D) → softmax head `final_result`.
 */
export function classifierModel(backbone: tf.LayersModel, featureLayer: string, head: HeadWeights): tf.LayersModel {
  const layerOutput = originalOutput(backbone, featureLayer);
  const features = layerOutput.shape.length === 4 ? (tf.layers.globalAveragePooling2d({ name: 'graft_global_pool', dataFormat: 'channelsLast' }).apply(layerOutput) as tf.SymbolicTensor) : layerOutput;
  const dense = tf.layers.dense({ units: head.classCount, activation: 'softmax', name: 'final_result' });
  const output = dense.apply(features) as tf.SymbolicTensor;
  tf.tidy(() => dense.setWeights([tf.tensor2d(head.kernel, [head.featureDim, head.classCount]), tf.tensor1d(head.bias)]));
  return tf.model({ inputs: backbone.inputs, outputs: output, name: 'graft_finetuned' });
}
