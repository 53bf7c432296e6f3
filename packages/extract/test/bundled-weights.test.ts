import { describe, expect, it } from 'vitest';
import { sha256 } from '@graft/core';
import { BUNDLED_WEIGHTS_SHA256, NSFWJS_MODELS, readBundledModel, readPinnedBundledModel } from '../src/backbones/bundled-weights.js';
import { loadBackbone } from '../src/backbones/load-backbone.js';

describe('bundled weights are pinned', () => {
  it.each(NSFWJS_MODELS)('the pin of %s is the sha256 of the installed weights', (name) => {
    expect(sha256(new Uint8Array(readBundledModel(name).weightData))).toBe(BUNDLED_WEIGHTS_SHA256[name]);
    expect(() => readPinnedBundledModel(name)).not.toThrow();
  });

  it('a bundled backbone\'s identity is the pin (its weights are read only to build the model)', async () => {
    const backbone = await loadBackbone({ backbone: 'inception_v3_mixed7', model: '', layer: '', inputRange: '0,1' });
    expect(backbone.weightsSha256).toBe(BUNDLED_WEIGHTS_SHA256.inception_v3);
    expect(backbone.featureDim).toBe(768);
  });
});
