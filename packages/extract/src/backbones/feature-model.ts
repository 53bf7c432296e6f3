import { tf } from '@graft/tf';
import { BackboneError, choiceMessage } from '@graft/core';

/**
 * The frozen feature extractor: the backbone cut at `layerName`. A 4-D (NHWC) activation is
 * globally average-pooled to one vector per image, as Inception-v3's bottleneck is.
 */
export function buildFeatureModel(model: tf.LayersModel, layerName: string): tf.LayersModel {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(layerName);
  } catch {
    const names = model.layers.map((l) => l.name);
    throw new BackboneError(choiceMessage('layer', layerName, names.length > 40 ? names.filter((n) => !/^(batch_normalization|activation|conv2d)_/.test(n)) : names));
  }
  const output = layer.output as tf.SymbolicTensor;
  const pooled = output.shape.length === 4 ? (tf.layers.globalAveragePooling2d({ name: 'graft_global_pool', dataFormat: 'channelsLast' }).apply(output) as tf.SymbolicTensor) : output;
  if (pooled.shape.length !== 2) throw new BackboneError(`layer ${layerName} has output shape [${output.shape.join(', ')}]: need a 2-D or 4-D (NHWC) activation`);
  const featureModel = tf.model({ inputs: model.inputs, outputs: pooled, name: `features_${layerName}` });
  featureModel.trainable = false;
  return featureModel;
}

/** Feature dimension of a feature model. */
export function featureDimension(featureModel: tf.LayersModel): number {
  const shape = (featureModel.outputs[0] as tf.SymbolicTensor).shape;
  return shape[shape.length - 1] as number;
}
