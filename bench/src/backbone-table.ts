/**
 * The backbone table: for each backbone, the default head's test accuracy on the demo styles
 * (5-fold cross-validation), across styles (trained on all of one, tested on all of the other) and
 * on Fashion-MNIST (200 per class → 1000 official test images), and its speed on onnxruntime: bare
 * network (preprocessed tensors, batch 16, 2 threads and 1) and `graft extract` end to end on the
 * Fashion-MNIST folder (3000 images, fresh feature cache, process start-up included).
 *
 *   npm run build && node bench/dist/backbone-table.js [--backbones a,b] [--fashion-mnist /tmp/fmnist-200] [--json] [--write]
 *
 * --write stores the accuracies `graft backbones` shows (packages/extract/measured/backbone-accuracy.json).
 * ImageNet backbones read their pinned files from GRAFT_MODEL_MIRROR (default ../shared/models/imagenet-tflite).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBackbone, openEngine } from '@graft/extract';
import { defaultTrainingOptions, headProbabilities, trainHead, type LabelledFeatures } from '@graft/train';
import { loadDataset, subset } from './head/datasets.js';
import { bareNetworkRate } from './extract/bare-network.js';
import { REPO_ROOT } from './project-copy.js';

const { values } = parseArgs({
  options: {
    backbones: { type: 'string', default: 'inception_v3_mixed7,mobilenet_v2,mobilenet_v2_imagenet,mobilenet_v1_imagenet' },
    'fashion-mnist': { type: 'string', default: '/tmp/fmnist-200' },
    'end-to-end': { type: 'boolean', default: true },
    json: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
process.env.GRAFT_MODEL_MIRROR ??= resolve(REPO_ROOT, '..', 'shared', 'models', 'imagenet-tflite');
const defaults = defaultTrainingOptions();
const say = (line: string) => values.json || process.stdout.write(`${line}\n`);
const none = (like: LabelledFeatures) => subset(like, []);

function accuracy(train: LabelledFeatures, test: LabelledFeatures, classCount: number): number {
  const { head } = trainHead(train, none(train), { ...defaults, classCount });
  const p = headProbabilities(head, test.features);
  let correct = 0;
  for (let i = 0; i < test.count; i++) {
    let best = 0;
    for (let c = 1; c < classCount; c++) if (p[i * classCount + c]! > p[i * classCount + best]!) best = c;
    if (best === test.labels[i]) correct++;
  }
  return correct / test.count;
}

const results: Record<string, unknown>[] = [];
for (const backboneId of values.backbones.split(',')) {
  const row: Record<string, unknown> = { backbone: backboneId };
  const [noto, flat, fashion] = [
    await loadDataset('demo-noto', backboneId, { fashionMnist: values['fashion-mnist'], folds: 5 }),
    await loadDataset('demo-fluent-flat', backboneId, { fashionMnist: values['fashion-mnist'], folds: 5 }),
    await loadDataset('fashion-mnist', backboneId, { fashionMnist: values['fashion-mnist'], folds: 5 }),
  ];
  for (const dataset of [noto, flat]) {
    const scores = dataset.splits.map((split) => accuracy(subset(dataset.all, split.train), subset(dataset.all, split.test), dataset.classCount));
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    row[dataset.name] = { mean, sd: Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / (scores.length - 1)) };
  }
  row['noto→fluent-flat'] = accuracy(noto.all, flat.all, noto.classCount);
  row['fluent-flat→noto'] = accuracy(flat.all, noto.all, flat.classCount);
  const f = fashion.splits[0]!;
  row['fashion-mnist'] = accuracy(subset(fashion.all, [...f.train, ...f.validation]), subset(fashion.all, f.test), fashion.classCount);
  const backbone = await loadBackbone({ backbone: backboneId, model: '', layer: '', inputRange: 'auto' });
  for (const threads of [2, 1]) {
    const opened = await openEngine(backbone, { choice: 'onnxruntime', threads, onnxCacheDir: join(REPO_ROOT, 'artifacts', 'bench', 'heads', `onnx-${backboneId}`), sampleBatch: async () => ({ batch: new Float32Array(4 * backbone.preprocessing.size ** 2 * 3).fill(0.5), n: 4 }), log: () => {} });
    row[`bare${threads}`] = await bareNetworkRate(opened.engine, backbone.preprocessing.size, 16, 256);
    await opened.engine.dispose();
  }
  if (values['end-to-end']) {
    const out = mkdtempSync(join(tmpdir(), 'graft-e2e-'));
    execFileSync(process.execPath, [join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js'), 'split', '--data', values['fashion-mnist'], '--out', out, '--test-pattern', '/test-', '--quiet']);
    const started = performance.now();
    const summary = JSON.parse(execFileSync(process.execPath, [join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js'), 'extract', '--data', values['fashion-mnist'], '--out', out, '--backbone', backboneId, '--engine', 'onnxruntime', '--json', '--quiet'], { encoding: 'utf8', env: process.env }));
    row.endToEnd = summary.computed / ((performance.now() - started) / 1000);
    rmSync(out, { recursive: true, force: true });
  }
  results.push(row);
  const pct = (v: unknown) => (typeof v === 'number' ? `${(100 * v).toFixed(1)}` : `${(100 * (v as { mean: number }).mean).toFixed(1)} ± ${(100 * (v as { sd: number }).sd).toFixed(1)}`);
  say(`${backboneId.padEnd(24)} noto ${pct(row['demo-noto'])}  fluent-flat ${pct(row['demo-fluent-flat'])}  noto→flat ${pct(row['noto→fluent-flat'])}  flat→noto ${pct(row['fluent-flat→noto'])}  FMNIST ${pct(row['fashion-mnist'])}  bare ${(row.bare2 as number).toFixed(1)} img/s (1 thread ${(row.bare1 as number).toFixed(1)})${row.endToEnd ? `  end to end ${(row.endToEnd as number).toFixed(1)} img/s` : ''}`);
}
if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
if (values.write) {
  const file = join(REPO_ROOT, 'packages', 'extract', 'measured', 'backbone-accuracy.json');
  const rows = results.flatMap((row) =>
    ['demo-noto', 'demo-fluent-flat', 'noto→fluent-flat', 'fluent-flat→noto', 'fashion-mnist'].map((dataset) => {
      const value = row[dataset] as number | { mean: number; sd: number };
      const folded = typeof value === 'object';
      return { dataset: dataset.replace(/^demo-/, ''), backbone: row.backbone as string, folds: folded ? 5 : 1, cvAccuracy: Number((folded ? value.mean : value).toFixed(6)), cvAccuracySd: Number((folded ? value.sd : 0).toFixed(6)) };
    }),
  );
  const measured = {
    command: 'npm run build && node bench/dist/backbone-table.js --write',
    method: 'test accuracy of the default head: demo styles by 5-fold stratified cross-validation; across styles trained on all of one, tested on all of the other; Fashion-MNIST 200 per class → 1000 official test images',
    results: rows,
  };
  writeFileSync(file, `${JSON.stringify(measured, null, 2)}\n`);
}
