import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBackbone, BACKBONES } from '@graft/extract';
import { readExportMetadata } from '@graft/export';
import { loadLayersModel, tf, useTfjsBackend } from '@graft/tf';
import { graft } from '../../../test/helpers/graft-cli.js';
import { spawnGraft, waitFor } from '../../../test/helpers/spawn-graft.js';
import { duckdb } from '../../../test/helpers/duckdb.js';
import { REPO_ROOT } from '../../../test/helpers/project-copy.js';
import { blockEnds, cutLayer } from '../src/blocks.js';
import { FrozenBatchNormalization } from '../src/frozen-batch-norm.js';

/** A small real dataset: 3 demo classes × 24 images (fewer do not learn: validation loss only rises). */
function smallDataset(): string {
  const root = mkdtempSync(join(tmpdir(), 'graft-ft-data-'));
  const demo = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');
  for (const className of ['clothing', 'food', 'vehicle']) {
    mkdirSync(join(root, className));
    for (const file of readdirSync(join(demo, className)).sort().slice(0, 24)) cpSync(join(demo, className, file), join(root, className, file));
  }
  return root;
}

const featureModelOf = async (id: string) => (await loadBackbone({ backbone: id, model: '', layer: '', inputRange: '' })).featureModel();
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('blocks of the bundled backbones', () => {
  it('MobileNetV2: 16 inverted-residual blocks; InceptionV3 up to mixed7: mixed0 … mixed7', async () => {
    await useTfjsBackend();
    const mobilenet = await featureModelOf('mobilenet_v2');
    const ends = blockEnds(mobilenet, 'flatten_1');
    expect(ends).toHaveLength(16);
    ends.forEach((name, i) => expect(name).toMatch(new RegExp(`^block_${i + 1}_(add|project_BN)$`)));
    expect(cutLayer(mobilenet, 'flatten_1', 1)).toBe('block_15_add');
    expect(cutLayer(mobilenet, 'flatten_1', 2)).toBe('block_14_add');
    expect(() => cutLayer(mobilenet, 'flatten_1', 16)).toThrowError(/must be in 1\.\.15/);
    const inception = await featureModelOf('inception_v3_mixed7');
    expect(BACKBONES.inception_v3_mixed7.layer).toBe('mixed7');
    expect(blockEnds(inception, 'mixed7')).toEqual(Array.from({ length: 8 }, (_, i) => `mixed${i}`));
    expect(cutLayer(inception, 'mixed7', 1)).toBe('mixed6');
  });

  it('a frozen BatchNorm layer as its affine map gives the layer\'s inference output (with γ: MobileNetV2; without: InceptionV3)', async () => {
    await useTfjsBackend();
    for (const [id, name] of [['mobilenet_v2', 'block_16_project_BN'], ['inception_v3_mixed7', 'batch_normalization_70']] as const) {
      const model = await featureModelOf(id);
      const layer = model.layers.find((l) => l.getClassName() === 'BatchNormalization' && (l.name === name || id === 'inception_v3_mixed7'))!;
      const channels = (layer.getWeights().at(-1)!.shape[0])!;
      const x = tf.randomNormal([2, 3, 3, channels], 0, 2, 'float32', 7);
      const expected = layer.apply(x, { training: false }) as tf.Tensor;
      const actual = new FrozenBatchNormalization(layer).apply(x) as tf.Tensor;
      expect(maxAbsDiff(expected, actual), `${id} ${layer.name}`).toBeLessThan(1e-5);
    }
  });
});

describe('graft finetune on a real backbone (mobilenet_v2, top block) with a hidden-layer head', () => {
  let data: string;
  let out: string;
  let report: Record<string, unknown>;
  let summary: Record<string, unknown>;
  const common = () => ['--data', data, '--out', out, '--quiet'];
  const finetuneArgs = (learningRate: string) => ['finetune', '--finetune-blocks', '1', '--finetune-epochs', '2', '--finetune-copies', '1', '--finetune-batch-size', '8', '--finetune-learning-rate', learningRate, '--finetune-patience', '5'];

  beforeAll(async () => {
    data = smallDataset();
    out = mkdtempSync(join(tmpdir(), 'graft-ft-'));
    for (const args of [['split', '--validation-percent', '25', '--test-percent', '25'], ['extract', '--backbone', 'mobilenet_v2'], ['train', '--steps', '20', '--hidden-units', '16']]) {
      const result = await graft([...args, ...common()]);
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(0);
    }
    const result = await graft([...finetuneArgs('0.0003'), ...common(), '--json']);
    expect(result.code, result.stderr).toBe(0);
    summary = JSON.parse(result.stdout);
    report = JSON.parse(readFileSync(join(out, 'finetune', 'report.json'), 'utf8'));
  });

  it('reports frozen and fine-tuned test accuracy, the cut, the engine and the epochs; metrics are read by DuckDB', async () => {
    expect(report).toMatchObject({ backbone: 'mobilenet_v2', cut: 'block_15_add', blocks: 1, epochs: 2 });
    expect(report.unfrozenLayers).toEqual(['block_16_expand', 'block_16_depthwise', 'block_16_project', 'Conv_1']);
    expect(report.frozenBatchNorm).toBe(4);
    expect(summary.cutActivationsComputed).toBe(72 + (report.trainImages as number)); // every image once, one copy of each train image
    expect(report.cutActivationEngines).toEqual({ onnxruntime: 72 + (report.trainImages as number) });
    const metrics = await duckdb(`select epoch, train_loss, validation_loss, validation_accuracy from '${join(out, 'finetune', 'metrics.parquet')}' order by epoch`);
    expect(metrics.map((m) => m.epoch)).toEqual([0, 1, 2]);
    for (const m of metrics) expect(Number.isFinite(m.train_loss) && Number.isFinite(m.validation_loss)).toBe(true);
    expect(summary.fineTunedTestAccuracy).toBe(report.fineTunedTestAccuracy);
  });

  it('writes a self-contained HTML page: headline, per-epoch curves drawn, setup; nothing fetched', () => {
    const html = readFileSync(join(out, 'finetune', 'report.html'), 'utf8');
    const percent = (value: unknown) => `${(100 * (value as number)).toFixed(1)}%`;
    expect(html).toContain(`Fine-tuned test accuracy = ${percent(report.fineTunedTestAccuracy)} (frozen ${percent(report.frozenTestAccuracy)}, N=${report.testImages})`);
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'");
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    const lines = [...svg.matchAll(/aria-label="epoch \(0 = frozen start\): 0; (accuracy|loss): [^;]+; set: (train|validation)" role="graphics-symbol" aria-roledescription="line mark" d="M[^"]*L/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(lines.sort()).toEqual(['accuracy validation', 'loss train', 'loss validation']); // every curve drawn, from epoch 0
    expect(svg.match(/class="mark-rule role-mark/g)?.length).toBe(2); // the kept epoch, in both panels
    expect(html).toContain('<th>--finetune-blocks</th><td><code>1</code></td>');
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
  });

  it('changes only the unfrozen weights and the head; every BatchNorm weight and statistic is unchanged', async () => {
    await useTfjsBackend();
    const original = await featureModelOf('mobilenet_v2');
    const tuned = await loadLayersModel(join(out, 'finetune', 'model', 'model.json'));
    const metadata = await readExportMetadata(join(out, 'finetune', 'model'));
    const features = tuned.getLayer(metadata.layers.features) as unknown as tf.LayersModel;
    const changed: string[] = [];
    let batchNorms = 0;
    for (const layer of features.layers) {
      const weights = layer.getWeights();
      if (weights.length === 0) continue;
      const differs = weights.some((w, i) => maxAbsDiff(w, original.getLayer(layer.name).getWeights()[i]!) > 0);
      if (layer.getClassName() === 'BatchNormalization') {
        batchNorms++;
        expect(differs, layer.name).toBe(false);
      } else if (differs) changed.push(layer.name);
    }
    expect(batchNorms).toBeGreaterThan(50);
    expect(report.bestEpoch as number).toBeGreaterThan(0); // a trained epoch was kept, so the unfrozen weights moved
    expect(changed.sort()).toEqual((report.unfrozenLayers as string[]).slice().sort());
    const trainedHead = await loadLayersModel(join(out, 'train', 'model', 'model.json'));
    const head = tuned.getLayer(metadata.layers.head) as unknown as tf.LayersModel;
    expect(head.getLayer('graft_hidden').getWeights()[0]!.shape).toEqual([1280, 16]);
    expect(maxAbsDiff(head.getLayer('final_result').getWeights()[0]!, trainedHead.getLayer('final_result').getWeights()[0]!)).toBeGreaterThan(0);
  });

  it('the exported fine-tuned model has export\'s metadata and, run by graft predict, reproduces the reported test accuracy', async () => {
    const metadata = await readExportMetadata(join(out, 'finetune', 'model'));
    expect(metadata.labels).toEqual(['clothing', 'food', 'vehicle']);
    expect(metadata.finetune).toMatchObject({ cut: 'block_15_add', blocks: 1, bestEpoch: report.bestEpoch });
    const test = await duckdb(`select path, class_name from '${join(out, 'split', 'manifest.parquet')}' where split = 'test' order by path`);
    const predicted = await graft(['predict', ...test.map((row) => join(data, String(row.path))), '--model', join(out, 'finetune', 'model'), '--json', '--quiet']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const result = JSON.parse(predicted.stdout) as { engine: string; results: ({ path: string; predictions: { label: string }[] } | { path: string; error: string })[] };
    expect(result.engine).toMatch(/^tfjs-/); // onnxruntime would run the frozen backbone
    const truth = new Map(test.map((row) => [join(data, String(row.path)), String(row.class_name)]));
    const correct = result.results.filter((r) => 'predictions' in r && r.predictions[0]!.label === truth.get(r.path)).length;
    expect(result.results).toHaveLength(report.testImages as number);
    expect(correct / test.length).toBe(report.fineTunedTestAccuracy);
    const refused = await graft(['predict', join(data, String(test[0]!.path)), '--model', join(out, 'finetune', 'model'), '--engine', 'onnxruntime']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/fine-tuned.*--engine tfjs/);
  });

  it('is deterministic: a forced rerun writes byte-identical weights, metrics, metadata and report', async () => {
    const files = ['model/weights.bin', 'model/model.json', 'model/metadata.json', 'metrics.parquet', 'report.json', 'report.html'];
    const before = files.map((file) => readFileSync(join(out, 'finetune', file)));
    const result = await graft([...finetuneArgs('0.0003'), ...common(), '--force']);
    expect(result.code, result.stderr).toBe(0);
    files.forEach((file, i) => expect(readFileSync(join(out, 'finetune', file)).equals(before[i]!), file).toBe(true));
  });

  it('resumes after kill -9 from the last finished epoch, with the same result as an uninterrupted run', async () => {
    const args = [...finetuneArgs('0.0003').map((a) => (a === '2' ? '3' : a)), ...common()]; // 3 epochs
    expect(args.join(' ')).toContain('--finetune-epochs 3');
    const reference = await graft([...args, '--force']);
    expect(reference.code, reference.stderr).toBe(0);
    const files = ['model/weights.bin', 'metrics.parquet', 'report.json'];
    const expected = files.map((file) => readFileSync(join(out, 'finetune', file)));
    const checkpoints = join(out, 'cache', 'finetune-checkpoints');
    const stateFile = () => (existsSync(checkpoints) ? readdirSync(checkpoints).map((d) => join(checkpoints, d, 'state.json')).find((f) => existsSync(f)) : undefined);
    expect(stateFile()).toBeUndefined(); // a finished run leaves no checkpoint
    const child = spawnGraft([...args, '--force']);
    expect(await waitFor(() => stateFile() !== undefined, 120_000)).toBe(true);
    child.kill('SIGKILL');
    expect((await child.done).signal).toBe('SIGKILL');
    const killedAfter = JSON.parse(readFileSync(stateFile()!, 'utf8')).state.epoch as number;
    expect(killedAfter).toBeGreaterThanOrEqual(1);
    const resumed = await graft([...args.filter((a) => a !== '--quiet'), '--force']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`finetune: resuming after epoch ${killedAfter}`);
    files.forEach((file, i) => expect(readFileSync(join(out, 'finetune', file)).equals(expected[i]!), file).toBe(true));
    expect(stateFile()).toBeUndefined();
  });

  it('bad input: too many blocks, a missing dataset folder, no trained head — one line saying what to do, exit 2', async () => {
    const tooMany = await graft(['finetune', '--finetune-blocks', '16', ...common()]);
    expect([tooMany.code, tooMany.stderr.trim()]).toEqual([2, expect.stringMatching(/^graft: finetune --finetune-blocks must be in 1\.\.15 for this backbone .*got 16$/m)]);
    const noData = await graft(['finetune', '--data', join(data, 'missing'), '--out', out, '--quiet', '--force']);
    expect([noData.code, noData.stderr]).toEqual([2, expect.stringMatching(/dataset folder .*missing does not exist: pass --data/)]);
    const noHead = await graft(['finetune', '--data', data, '--out', mkdtempSync(join(tmpdir(), 'graft-ft-empty-')), '--quiet']);
    expect([noHead.code, noHead.stderr]).toEqual([2, expect.stringMatching(/run `graft extract` first/)]);
  });

  it('a rerun with another learning rate reuses every cached cut activation', async () => {
    const result = await graft([...finetuneArgs('0.001'), ...common(), '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).cutActivationsComputed).toBe(0);
  });
});
