import { tf } from '@graft/tf';
import type { TrainedHead } from './head.js';

/** Layer names of the head inside every tfjs model Graft writes (the head model and the export). */
export const HEAD_LAYER_NAMES = { hidden: 'graft_hidden', output: 'final_result' } as const;

/**
 * The head's layers with the trained weights, ready to apply to a features tensor (dropout is a
 * training-time operation and is not part of the model).
 */
export function headLayers(head: TrainedHead): tf.layers.Layer[] {
  const layers: tf.layers.Layer[] = [];
  const add = (layer: tf.layers.Layer, inputDim: number, weights: { kernel: Float32Array; bias: Float32Array; units: number }) => {
    layer.build([null, inputDim]);
    tf.tidy(() => layer.setWeights([tf.tensor2d(weights.kernel, [inputDim, weights.units]), tf.tensor1d(weights.bias)]));
    layers.push(layer);
  };
  if (head.hidden) add(tf.layers.dense({ units: head.hidden.units, activation: head.hidden.activation, name: HEAD_LAYER_NAMES.hidden }), head.featureDim, head.hidden);
  add(tf.layers.dense({ units: head.classCount, activation: 'softmax', name: HEAD_LAYER_NAMES.output }), head.output.inputDim, head.output);
  return layers;
}

/** The head as a tfjs LayersModel: features [n, D] in, class probabilities [n, C] out. */
export function headToLayersModel(head: TrainedHead): tf.LayersModel {
  const input = tf.input({ shape: [head.featureDim], name: 'features' });
  let x = input;
  for (const layer of headLayers(head)) x = layer.apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'graft_head' });
}
