import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaMismatchError, SeededRandom } from '@graft/core';
import { loadBackbone, makePreprocessing } from '@graft/extract';
import { headToLayersModel, type TrainedHead } from '@graft/train';
import { loadLayersModel, saveLayersModel, tf, useTfjsBackend } from '@graft/tf';
import { buildClassifier, loadTrainedBackbone } from '../src/classifier-model.js';

const random = new SeededRandom(1);
const values = (n: number) => Float32Array.from({ length: n }, () => random.normal() * 0.05);

describe('buildClassifier', () => {
  it('is scaling → frozen features → head, and survives a save / load round trip', async () => {
    await useTfjsBackend();
    const preprocessing = makePreprocessing(224, '0,1');
    const { weightsSha256 } = await loadBackbone({ backbone: 'mobilenet_v2', model: '', layer: '', inputRange: '0,1' });
    const backbone = await loadTrainedBackbone({ id: 'mobilenet_v2', layer: 'flatten_1', weightsSha256, featureDim: 1280, licence: '' }, preprocessing);
    const featureModel = await backbone.featureModel();
    const head: TrainedHead = { featureDim: 1280, classCount: 3, hidden: { kernel: values(1280 * 8), bias: values(8), inputDim: 1280, units: 8, activation: 'tanh' }, output: { kernel: values(8 * 3), bias: values(3), inputDim: 8, units: 3 } };
    const headModel = headToLayersModel(head);
    const classifier = buildClassifier(featureModel, headModel, preprocessing);
    const pixels = tf.randomUniform([2, 224, 224, 3], 0, 255, 'float32', 7);
    const expected = tf.tidy(() => headModel.predict(featureModel.predict(tf.mul(pixels, 1 / 255)) as tf.Tensor) as tf.Tensor).dataSync();
    const actual = (classifier.predict(pixels) as tf.Tensor).dataSync();
    actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 5));
    const folder = mkdtempSync(join(tmpdir(), 'graft-classifier-'));
    await saveLayersModel(classifier, folder);
    const reloaded = await loadLayersModel(join(folder, 'model.json'));
    expect(Array.from((reloaded.predict(pixels) as tf.Tensor).dataSync())).toEqual(Array.from(actual));
  });
});

describe('loadTrainedBackbone', () => {
  it('refuses a backbone whose weights are not the ones the head was trained on', async () => {
    const preprocessing = makePreprocessing(224, '0,1');
    const identity = { id: 'mobilenet_v2', layer: 'flatten_1', weightsSha256: '0'.repeat(64), featureDim: 1280, licence: '' };
    await expect(loadTrainedBackbone(identity, preprocessing)).rejects.toThrowError(SchemaMismatchError);
    await expect(loadTrainedBackbone(identity, preprocessing)).rejects.toThrowError(/backbone mobilenet_v2 now has weights [0-9a-f]{12}…, but the head was trained on 000000000000…: rerun extract and train/);
  });
});
