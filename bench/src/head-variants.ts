/**
 * Head variants on real bottlenecks, next to the reference a data scientist would try first
 * (scikit-learn's LogisticRegressionCV on standardized features, run on the very same rows):
 *
 *   npm run build && node bench/dist/head-variants.js [--datasets demo-noto,demo-fluent-flat,fashion-mnist,digits-fonts]
 *       [--variants 0,3] [--backbone inception_v3_mixed7] [--fashion-mnist /tmp/fmnist-200] [--json]
 *
 * Fashion-MNIST needs its folder first (Debian's dataset-fashion-mnist package):
 *   node bench/dist/fashion-mnist-folders.js --out /tmp/fmnist-200 --train-per-class 200 --test-per-class 100
 * Features are extracted once into artifacts/bench/heads/ (a rerun only trains). The reference runs
 * where a Python with scikit-learn is found (apt-get install python3-sklearn), else it is skipped
 * with a note.
 */
import { parseArgs } from 'node:util';
import { extractStage } from '@graft/extract';
import { defaultTrainingOptions, headProbabilities, trainHead } from '@graft/train';
import { DATASET_NAMES, loadDataset, subset } from './head/datasets.js';
import { findPython, runReference } from './head/reference.js';
import { HEAD_VARIANTS } from './head/variants.js';

const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: DATASET_NAMES.join(',') },
    variants: { type: 'string', default: HEAD_VARIANTS.map((_, i) => i).join(',') },
    backbone: { type: 'string', default: String(extractStage.params.backbone.default) },
    'fashion-mnist': { type: 'string', default: '/tmp/fmnist-200' },
    folds: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const defaults = defaultTrainingOptions();
const variants = values.variants.split(',').map((i) => HEAD_VARIANTS[Number(i)]!);
const python = findPython();
const say = (line: string) => values.json || process.stdout.write(`${line}\n`);
const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : null;
  return { mean, sd, text: `${(100 * mean).toFixed(1)}${sd === null ? '' : ` ± ${(100 * sd).toFixed(1)}`} %` };
};

const results: Record<string, unknown>[] = [];
if (!python) say('reference: skipped — no Python with scikit-learn (apt-get install python3-sklearn, or set GRAFT_PYTHON)');
for (const name of values.datasets.split(',')) {
  const dataset = await loadDataset(name, values.backbone, { fashionMnist: values['fashion-mnist'], folds: Number(values.folds) });
  const split0 = dataset.splits[0]!;
  say(`\n${name} (${values.backbone}, ${dataset.all.dimension}-d, ${dataset.classCount} classes, ${dataset.all.count} images; ${dataset.protocol}; first split: ${split0.train.length} train / ${split0.validation.length} validation / ${split0.test.length} test)`);
  for (const variant of variants) {
    const accuracies: number[] = [];
    const seconds: number[] = [];
    const chosen: number[] = [];
    for (const split of dataset.splits) {
      const [train, validation, test] = [subset(dataset.all, split.train), subset(dataset.all, split.validation), subset(dataset.all, split.test)];
      const started = performance.now();
      const result = trainHead(train, validation, { ...defaults, ...variant.options, classCount: dataset.classCount });
      seconds.push((performance.now() - started) / 1000);
      chosen.push(result.l2);
      const probabilities = headProbabilities(result.head, test.features);
      let correct = 0;
      for (let i = 0; i < test.count; i++) {
        let best = 0;
        for (let c = 1; c < dataset.classCount; c++) if (probabilities[i * dataset.classCount + c]! > probabilities[i * dataset.classCount + best]!) best = c;
        if (best === test.labels[i]) correct++;
      }
      accuracies.push(correct / test.count);
    }
    const accuracy = stats(accuracies);
    const meanSeconds = seconds.reduce((a, b) => a + b, 0) / seconds.length;
    results.push({ dataset: name, backbone: values.backbone, variant: variant.name, flags: variant.flags, accuracy: accuracy.mean, accuracySd: accuracy.sd, accuracies, secondsPerFit: meanSeconds, l2: chosen });
    say(`  ${variant.name.padEnd(46)} ${accuracy.text.padStart(14)}   ${meanSeconds.toFixed(2).padStart(7)} s per fit   l2 ${[...new Set(chosen)].join(', ')}`);
  }
  if (python) {
    const reference = runReference(python, dataset);
    const accuracy = stats(reference.splits.map((s) => s.accuracy));
    const meanSeconds = reference.splits.reduce((a, s) => a + s.seconds, 0) / reference.splits.length;
    results.push({ dataset: name, backbone: values.backbone, variant: 'reference: scikit-learn LogisticRegressionCV', sklearn: reference.sklearn, accuracy: accuracy.mean, accuracySd: accuracy.sd, accuracies: reference.splits.map((s) => s.accuracy), secondsPerFit: meanSeconds, C: reference.splits.map((s) => s.C) });
    say(`  ${`reference: scikit-learn ${reference.sklearn} LogisticRegressionCV`.padEnd(46)} ${accuracy.text.padStart(14)}   ${meanSeconds.toFixed(2).padStart(7)} s per fit   C ${[...new Set(reference.splits.map((s) => s.C))].map((c) => c.toPrecision(2)).join(', ')}`);
  }
}
if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
