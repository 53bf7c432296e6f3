import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@graft/core';
import { makePreprocessing, type Bottlenecks } from '@graft/extract';
import { headToLayersModel, type TrainedHead } from '@graft/train';
import { loadLayersModel, saveLayersModel, tf, useTfjsBackend } from '@graft/tf';
import { AdaptationNetwork, adaptedHead, saveAdaptedHead, sourceScaling } from '@graft/adapt';
import { headToExport } from '../src/trained-head.js';

const random = new SeededRandom(3);
const values = (n: number, scale = 1) => Float32Array.from({ length: n }, () => random.normal() * scale);
const labels = ['a', 'b', 'c'];
const backbone = { id: 'mobilenet_v2', layer: 'flatten_1', weightsSha256: 'f'.repeat(64), featureDim: 6, licence: '' };
const preprocessing = makePreprocessing(224, '0,1');

async function setup() {
  await useTfjsBackend();
  const folder = mkdtempSync(join(tmpdir(), 'graft-export-head-'));
  const labelsPath = join(folder, 'labels.txt');
  writeFileSync(labelsPath, labels.join('\n') + '\n');
  const trainHead: TrainedHead = { featureDim: 6, classCount: 3, hidden: null, output: { kernel: values(18), bias: values(3), inputDim: 6, units: 3 } };
  const headShape = { featureDim: 6, hiddenUnits: 0, hiddenActivation: null, classCount: 3, standardized: true };
  await saveLayersModel(headToLayersModel(trainHead), join(folder, 'train'), { labels, backbone, preprocessing, head: headShape });
  return { folder, labelsPath, model: join(folder, 'train', 'model.json'), adaptModel: join(folder, 'adapt', 'model.json') };
}

describe('headToExport: with --target, the model adapt recommends', () => {
  it("exports train's head when adapt wrote no model (train-head recommended, or no target)", async () => {
    const paths = await setup();
    const { path, trained } = await headToExport({ model: paths.model, labels: paths.labelsPath, adaptModel: paths.adaptModel }, () => {});
    expect(path).toBe(paths.model);
    expect(trained.adaptation).toBeUndefined();
  });

  it("exports adapt's recommended network, which takes raw features and gives the network's probabilities", async () => {
    const paths = await setup();
    const features = values(40 * 6, 3).map((v, i) => v + (i % 6));
    const set = { features, count: 40 };
    const scaling = sourceScaling(set, 6);
    const network = new AdaptationNetwork({ inputDim: 6, adaptationUnits: 4, classCount: 3, discriminatorUnits: 0, discriminatorInput: 'representation' }, { mean: Float32Array.from(scaling.mean), inverseStd: Float32Array.from(scaling.scale, (s) => 1 / s) }, 5);
    const expected = network.infer(features, 40).probabilities;
    const head = adaptedHead(network.snapshot(), { inputDim: 6, adaptationUnits: 4, classCount: 3 }, scaling);
    network.dispose();
    const bottlenecks = { provenance: { backbone, preprocessing } } as unknown as Bottlenecks;
    await saveAdaptedHead(paths.adaptModel, head, bottlenecks, labels, { method: 'mmd', tradeoff: 1, step: 300, rule: 'test rule' });
    const logged: string[] = [];
    const { path, trained } = await headToExport({ model: paths.model, labels: paths.labelsPath, adaptModel: paths.adaptModel }, (m) => logged.push(m));
    expect(path).toBe(paths.adaptModel);
    expect(trained.adaptation).toEqual({ method: 'mmd', tradeoff: 1, step: 300, rule: 'test rule' });
    expect(trained.head).toMatchObject({ hiddenUnits: 4, hiddenActivation: 'relu' });
    expect(logged.join('\n')).toMatch(/deploying the domain-adapted model adapt recommends: mmd/);
    const model = await loadLayersModel(path);
    const actual = tf.tidy(() => (model.predict(tf.tensor2d(features, [40, 6])) as tf.Tensor).dataSync());
    actual.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 4));
  });
});
