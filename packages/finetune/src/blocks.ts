import { BackboneError } from '@graft/core';
import type { tf } from '@graft/tf';

/**
 * The last layer of each block of a bundled backbone that lies before (or is) its feature layer, in
 * order: InceptionV3's mixed blocks (`mixed0` … `mixed10`), MobileNetV2's inverted-residual blocks
 * (`block_1_*` … `block_16_*`).
 */
export function blockEnds(model: tf.LayersModel, featureLayer: string): string[] {
  const names = model.layers.map((layer) => layer.name);
  const featureIndex = names.indexOf(featureLayer);
  if (featureIndex < 0) throw new BackboneError(`finetune: the backbone has no layer ${featureLayer}`);
  const upTo = names.slice(0, featureIndex + 1);
  if (upTo.includes('mixed0')) return upTo.filter((name) => /^mixed\d+$/.test(name));
  const lastOfBlock = new Map<number, string>();
  for (const name of upTo) {
    const match = /^block_(\d+)_/.exec(name);
    if (match) lastOfBlock.set(Number(match[1]), name);
  }
  if (lastOfBlock.size === 0) throw new BackboneError('finetune works on the bundled backbones (InceptionV3 mixed blocks, MobileNetV2 inverted-residual blocks); this model has neither');
  return [...lastOfBlock.keys()].sort((a, b) => a - b).map((block) => lastOfBlock.get(block)!);
}

/** The layer whose output is the input of the first of the top `blocks` blocks: the cut point. */
export function cutLayer(model: tf.LayersModel, featureLayer: string, blocks: number): string {
  const ends = blockEnds(model, featureLayer);
  if (blocks < 1 || blocks > ends.length - 1) throw new BackboneError(`finetune --finetune-blocks must be in 1..${ends.length - 1} for this backbone (it has ${ends.length} blocks before its feature layer), got ${blocks}`);
  return ends[ends.length - 1 - blocks]!;
}
