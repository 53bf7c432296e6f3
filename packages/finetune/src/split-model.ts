import { BackboneError } from '@graft/core';
import { tf } from '@graft/tf';
import { FrozenBatchNormalization } from './frozen-batch-norm.js';

/** Output of a layer in the backbone's own graph (its first node: rebuilding the upper part adds more). */
export function originalOutput(model: tf.LayersModel, layerName: string): tf.SymbolicTensor {
  return model.getLayer(layerName).getOutputAt(0) as tf.SymbolicTensor;
}

/** The frozen lower part: image → activation at the cut point. */
export function lowerModel(model: tf.LayersModel, cut: string): tf.LayersModel {
  const lower = tf.model({ inputs: model.inputs, outputs: originalOutput(model, cut), name: `lower_${cut}` });
  lower.trainable = false;
  return lower;
}

/** The trainable upper part of the backbone and the BatchNormalization layers frozen in it. */
export interface UpperPart {
  readonly model: tf.LayersModel;
  readonly frozenBatchNorm: string[];
}

/**
 * The trainable upper part: activation at the cut point → feature vector (globally average-pooled
 * when 4-D), rebuilt from the same layer objects, so its weights are the backbone's own: training
 * it fine-tunes the full model in place. BatchNormalization layers are frozen (as the Keras
 * fine-tuning guide does: statistics, γ and β kept, inference mode) and replaced in this training
 * graph by their affine map (frozen-batch-norm.ts); the backbone keeps the originals. Fails when a
 * layer after the cut reads a tensor from before it (the cut is not a block boundary).
 */
export function upperModel(model: tf.LayersModel, cut: string, featureLayer: string): UpperPart {
  const names = model.layers.map((layer) => layer.name);
  const start = names.indexOf(cut);
  const end = names.indexOf(featureLayer);
  const cutOutput = originalOutput(model, cut);
  const input = tf.input({ shape: cutOutput.shape.slice(1) as number[], name: `cut_${cut}` });
  const mapped = new Map<number, tf.SymbolicTensor>([[cutOutput.id, input]]);
  const frozenBatchNorm: string[] = [];
  for (const layer of model.layers.slice(start + 1, end + 1)) {
    const inbound = layer.inboundNodes[0]!.inputTensors; // node 0: the backbone's own graph
    const inputs = inbound.map((tensor) => {
      const found = mapped.get(tensor.id);
      if (!found) throw new BackboneError(`finetune: layer ${layer.name} reads ${tensor.name} from before the cut at ${cut}: not a block boundary`);
      return found;
    });
    const frozen = layer.getClassName() === 'BatchNormalization';
    // The feature model was built frozen: every layer above the cut but BatchNorm becomes trainable.
    layer.trainable = !frozen;
    if (frozen) frozenBatchNorm.push(layer.name);
    const applied = frozen ? new FrozenBatchNormalization(layer) : layer;
    const output = applied.apply(inputs.length === 1 ? inputs[0]! : inputs) as tf.SymbolicTensor;
    mapped.set((layer.getOutputAt(0) as tf.SymbolicTensor).id, output);
  }
  const features = mapped.get(originalOutput(model, featureLayer).id)!;
  const pooled = features.shape.length === 4 ? (tf.layers.globalAveragePooling2d({ dataFormat: 'channelsLast' }).apply(features) as tf.SymbolicTensor) : features;
  return { model: tf.model({ inputs: input, outputs: pooled, name: `upper_${cut}` }), frozenBatchNorm };
}
