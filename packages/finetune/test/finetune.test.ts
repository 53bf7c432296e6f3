import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeInto, BUNDLED_BACKBONES } from '@graft/extract';
import { readManifest } from '@graft/split';
import { loadLayersModel, tf, useTfjsBackend } from '@graft/tf';
import { graft } from '../../../test/helpers/graft-cli.js';
import { duckdb } from '../../../test/helpers/duckdb.js';
import { REPO_ROOT } from '../../../test/helpers/project-copy.js';
import { loadBundledNetwork } from '../src/run.js';
import { blockEnds, cutLayer } from '../src/blocks.js';

/** A small real dataset: 3 demo classes × 10 images. */
function smallDataset(): string {
  const root = mkdtempSync(join(tmpdir(), 'graft-ft-data-'));
  const demo = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');
  for (const className of ['clothing', 'food', 'vehicle']) {
    mkdirSync(join(root, className));
    for (const file of readdirSync(join(demo, className)).sort().slice(0, 10)) cpSync(join(demo, className, file), join(root, className, file));
  }
  return root;
}

describe('blocks of the bundled backbones', () => {
  it('MobileNetV2: 16 inverted-residual blocks; InceptionV3 mixed blocks up to the feature layer', async () => {
    await useTfjsBackend();
    const mobilenet = await loadBundledNetwork('mobilenet_v2');
    const ends = blockEnds(mobilenet, 'flatten_1');
    expect(ends).toHaveLength(16);
    ends.forEach((name, i) => expect(name).toMatch(new RegExp(`^block_${i + 1}_(add|project_BN)$`)));
    expect(cutLayer(mobilenet, 'flatten_1', 1)).toBe('block_15_add');
    expect(cutLayer(mobilenet, 'flatten_1', 2)).toBe('block_14_add');
    expect(() => cutLayer(mobilenet, 'flatten_1', 16)).toThrowError(/must be in 1\.\.15/);
    mobilenet.dispose();
    expect(BUNDLED_BACKBONES.inception_v3_mixed7.layer).toBe('mixed7');
  });
});

describe('graft finetune on a tiny real backbone slice (mobilenet_v2, top block)', () => {
  let data: string;
  let out: string;
  let report: Record<string, unknown>;

  beforeAll(async () => {
    data = smallDataset();
    out = mkdtempSync(join(tmpdir(), 'graft-ft-'));
    const common = ['--data', data, '--out', out, '--quiet'];
    for (const args of [
      ['split', '--validation-percent', '25', '--test-percent', '25'],
      ['extract', '--backbone', 'mobilenet_v2'],
      ['train', '--steps', '200'],
      ['finetune', '--finetune-blocks', '1', '--finetune-epochs', '2', '--finetune-copies', '1', '--finetune-batch-size', '8', '--finetune-learning-rate', '0.01'],
    ]) {
      const result = await graft([...args, ...common]);
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(0);
    }
    report = JSON.parse(readFileSync(join(out, 'finetune', 'report.json'), 'utf8'));
  });

  it('reports frozen and fine-tuned test accuracy, the cut and the epochs; metrics are read by DuckDB', async () => {
    expect(report).toMatchObject({ backbone: 'mobilenet_v2', cut: 'block_15_add', blocks: 1 });
    expect(report.unfrozenLayers).toEqual(['block_16_expand', 'block_16_depthwise', 'block_16_project', 'Conv_1']);
    const metrics = await duckdb(`select epoch, train_loss, validation_loss from '${join(out, 'finetune', 'metrics.parquet')}' order by epoch`);
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2].slice(0, metrics.length));
    expect(metrics.length).toBeGreaterThan(0);
  });

  it('changes only the unfrozen weights; every BatchNorm weight and statistic is unchanged', async () => {
    await useTfjsBackend();
    const original = await loadBundledNetwork('mobilenet_v2');
    const tuned = await loadLayersModel(join(out, 'finetune', 'model', 'model.json'));
    const changed: string[] = [];
    let batchNorms = 0;
    for (const layer of tuned.layers) {
      const weights = layer.getWeights();
      if (weights.length === 0 || layer.name === 'final_result') continue;
      const before = original.getLayer(layer.name).getWeights();
      const differs = weights.some((w, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(w, before[i]!))).dataSync()[0]!) > 0);
      if (layer.getClassName() === 'BatchNormalization') {
        batchNorms++;
        expect(differs, layer.name).toBe(false);
      } else if (differs) changed.push(layer.name);
    }
    expect(batchNorms).toBeGreaterThan(50);
    expect(report.bestEpoch as number).toBeGreaterThan(0); // a trained epoch was kept, so the unfrozen weights moved
    expect(changed.sort()).toEqual((report.unfrozenLayers as string[]).slice().sort());
    original.dispose();
    tuned.dispose();
  });

  it('the exported model (image in, probabilities out) reproduces the reported fine-tuned test accuracy', async () => {
    await useTfjsBackend();
    const model = await loadLayersModel(join(out, 'finetune', 'model', 'model.json'));
    const metadata = JSON.parse(readFileSync(join(out, 'finetune', 'model', 'model.json'), 'utf8')).userDefinedMetadata;
    expect(metadata.labels).toEqual(['clothing', 'food', 'vehicle']);
    const test = (await readManifest(join(out, 'split', 'manifest.parquet'))).filter((row) => row.split === 'test');
    const size = metadata.preprocessing.size;
    const input = new Float32Array(test.length * size * size * 3);
    for (const [i, row] of test.entries()) await decodeInto(readFileSync(join(data, row.path)), metadata.preprocessing, { maxPixels: 1e8 }, input, i * size * size * 3);
    const predicted = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(input, [test.length, size, size, 3])) as tf.Tensor, 1).dataSync());
    const accuracy = test.filter((row, i) => predicted[i] === row.classIndex).length / test.length;
    expect(test.length).toBe(report.testImages);
    expect(accuracy).toBe(report.fineTunedTestAccuracy);
    model.dispose();
  });
});
