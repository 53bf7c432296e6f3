import { BackboneError, SchemaMismatchError } from '@graft/core';
import { backboneEntry, INPUT_RANGES, loadBackbone, type LoadedBackbone, type Preprocessing } from '@graft/extract';
import { tf } from '@graft/tf';
import type { ExportedBackbone } from './export-metadata.js';

/** Name of the input scaling layer: pixel × scale + offset, as extract's preprocessing. */
export const INPUT_SCALING_LAYER = 'graft_input_scaling';

/**
 * One model from pixels to probabilities: RGB 0..255 [n, size, size, 3] → scaling (extract's
 * scale and offset) → the frozen feature model → the trained head.
 */
export function buildClassifier(featureModel: tf.LayersModel, head: tf.LayersModel, preprocessing: Preprocessing): tf.LayersModel {
  const { size, scale, offset } = preprocessing;
  const pixels = tf.input({ shape: [size, size, 3], name: 'pixels' });
  const scaled = tf.layers.rescaling({ scale, offset, name: INPUT_SCALING_LAYER }).apply(pixels) as tf.SymbolicTensor;
  const features = featureModel.apply(scaled) as tf.SymbolicTensor;
  const probabilities = head.apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: pixels, outputs: probabilities, name: 'graft_classifier' });
}

/**
 * Load the backbone a head was trained on, from the identity stored with it, and check that its
 * weights are the very ones (same sha256).
 */
export async function loadTrainedBackbone(identity: ExportedBackbone, preprocessing: Preprocessing): Promise<LoadedBackbone> {
  const named = backboneEntry(identity.id) !== undefined;
  const range = Object.entries(INPUT_RANGES).find(([, r]) => r.scale === preprocessing.scale && r.offset === preprocessing.offset)?.[0];
  if (!named && !range && !/\.tflite$/i.test(identity.id)) throw new BackboneError(`backbone ${identity.id}: its input scale ${preprocessing.scale} and offset ${preprocessing.offset} match no known pixel range`);
  const backbone = await loadBackbone({ backbone: named ? identity.id : '', model: named ? '' : identity.id, layer: identity.layer, inputRange: range ?? 'auto', inputNormalization: preprocessing.normalization?.name ?? 'none' });
  if (backbone.weightsSha256 !== identity.weightsSha256) {
    throw new SchemaMismatchError(`backbone ${identity.id} now has weights ${backbone.weightsSha256.slice(0, 12)}…, but the head was trained on ${identity.weightsSha256.slice(0, 12)}…: rerun extract and train`);
  }
  return backbone;
}
