/**
 * `@graft/extract/backbones`: what `graft backbones` lists — the named backbones, where their
 * weights are cached and their measured accuracy — without loading an inference engine.
 */
export { BACKBONES, BACKBONE_IDS, backboneEntry } from './registry.js';
export type { Backbone, BundledBackbone, DownloadedBackbone, BackboneId } from './registry.js';
export { pinnedFilePath } from './model-files.js';
export { measuredAccuracies } from './measured-accuracy.js';
export type { MeasuredAccuracy } from './measured-accuracy.js';
