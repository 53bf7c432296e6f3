/**
 * DANN stability: DANN trained with several settings on a pair's cached bottlenecks (run
 * domain-adaptation-bench first), over seeds: target test accuracy (labels read here only, to score),
 * and what the recommendation sees without target labels (class balance, confidence, reverse
 * validation) next to source-only's.
 *
 *   node bench/dist/dann-stability.js --pair emoji --seeds 1,2,3 [--variants 'before;after'] [--steps 1000]
 *
 * Variants are separated by ';', each `name:key=value,…` over AdaptTrainingOptions plus `tradeoff`, or a named one:
 * `before` (the settings DANN collapsed with) and `after` (the adapt stage's defaults).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readBottlenecks } from '@graft/extract';
import { useTfjsBackend } from '@graft/tf';
import { domainOf } from '@graft/split';
import { adaptStage, domainData, inputScaling, labelFreeDiagnostics, makeSelectionScore, probabilityAccuracy, recommend, trainMethod, type AdaptTrainingOptions, type AdaptMethod } from '@graft/adapt';

const { values } = parseArgs({ options: { pair: { type: 'string', default: 'emoji' }, seeds: { type: 'string', default: '1,2,3' }, variants: { type: 'string', default: 'before;after' }, steps: { type: 'string' } } });
const root = resolve(import.meta.dirname, '..', '..');
const out = join(root, 'artifacts', 'bench', 'domain-adaptation', values.pair);

const defaults = Object.fromEntries(Object.entries(adaptStage.params).map(([k, p]) => [k, p.default])) as Record<string, number>;
const base: AdaptTrainingOptions & { tradeoff: number } = {
  steps: Number(values.steps ?? defaults.adaptSteps), batchSize: defaults.adaptBatchSize!, learningRate: defaults.adaptLearningRate!, adaptationUnits: defaults.adaptLayer!,
  discriminatorUnits: defaults.adaptDiscriminatorUnits!, discriminatorLearningRate: defaults.adaptDiscriminatorLearningRate!, weightDecay: defaults.adaptWeightDecay!,
  dropout: defaults.adaptDropout!, evalEvery: defaults.adaptEvalEvery!, seed: 1, tradeoff: Number(String(defaults.adaptTradeoffs).split(',')[0]),
};
const NAMED: Record<string, Partial<typeof base>> = {
  before: { discriminatorUnits: 128, discriminatorLearningRate: 1, tradeoff: 1 },
  after: {},
};
function variant(text: string): { name: string; options: typeof base } {
  const [name, settings] = text.split(':');
  const overrides = settings ? Object.fromEntries(settings.split(',').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)])) : NAMED[name!];
  if (!overrides) throw new Error(`unknown variant ${text}`);
  return { name: name!, options: { ...base, ...overrides } };
}

await useTfjsBackend();
const bottlenecks = await readBottlenecks(join(out, 'extract', 'bottlenecks.parquet'));
const classCount = Math.max(...bottlenecks.rows.map((r) => r.classIndex)) + 1;
const data = domainData(bottlenecks, classCount);
const testRows = bottlenecks.rows.flatMap((r, i) => (domainOf(r) === 'target' && r.split === 'test' ? [i] : []));
const testFeatures = new Float32Array(testRows.length * bottlenecks.featureDim);
testRows.forEach((row, i) => testFeatures.set(bottlenecks.features.subarray(row * bottlenecks.featureDim, (row + 1) * bottlenecks.featureDim), i * bottlenecks.featureDim));
const testLabels = Int32Array.from(testRows, (i) => bottlenecks.rows[i]!.classIndex);

process.stdout.write(`| variant | seed | target acc % (dann / source-only) | class balance | confidence | reverse validation % | collapsed? |\n|---|---|---|---|---|---|---|\n`);
for (const seed of values.seeds.split(',').map(Number)) {
  const scaling = inputScaling(data.sourceTrain, data.dimension);
  const score = makeSelectionScore('source-validation', data, scaling, seed);
  const reverse = makeSelectionScore('reverse-validation', data, scaling, seed);
  const run = (method: AdaptMethod, options: typeof base) => {
    const trained = trainMethod(method, options.tradeoff, data, { ...options, seed }, score);
    const accuracy = probabilityAccuracy(trained.network.infer(testFeatures, testRows.length).probabilities, testLabels, classCount);
    const diagnostics = labelFreeDiagnostics(trained.network, data, reverse);
    trained.network.dispose();
    return { accuracy, diagnostics };
  };
  const baseline = run('source-only', base);
  for (const text of values.variants.split(';')) {
    const { name, options } = variant(text);
    const dann = run('dann', options);
    const verdict = recommend([{ method: 'source-only', diagnostics: baseline.diagnostics }, { method: 'dann', diagnostics: dann.diagnostics }])!.verdicts[1]!;
    const d = dann.diagnostics;
    process.stdout.write(`| ${name} | ${seed} | ${(100 * dann.accuracy).toFixed(1)} / ${(100 * baseline.accuracy).toFixed(1)} | ${d.targetClassBalance.toFixed(2)} (${baseline.diagnostics.targetClassBalance.toFixed(2)}) | ${d.targetConfidence.toFixed(2)} (${baseline.diagnostics.targetConfidence.toFixed(2)}) | ${(100 * d.reverseValidationAccuracy).toFixed(1)} (${(100 * baseline.diagnostics.reverseValidationAccuracy).toFixed(1)}) | ${verdict.collapsed ? 'yes' : 'no'}: ${verdict.reason} |\n`);
  }
}
