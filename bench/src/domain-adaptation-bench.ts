/**
 * Domain adaptation benchmark: target test accuracy of every adapt method (and of the train stage's
 * head) on source → target pairs, over several seeds, mean ± sd — with the selection rule the adapt
 * stage uses (never the target labels) — and of the model adapt recommends, next to the best and the
 * worst model of each seed.
 *
 *   node bench/dist/domain-adaptation-bench.js [--pairs demo,digits,emoji] [--seeds 1,2,3] [--backbone id]
 *        [--methods source-only,coral,mmd,dann] [--selection source-validation] [--json]
 *
 * Pairs: `demo` = data/emoji-demo5/noto → fluent-flat; `digits` = digits typeset in the installed
 * fonts → MNIST test digits (bench/src/digits-pair.ts); `emoji` = Twemoji → Noto Emoji, 17 Unicode
 * subcategories (bench/src/emoji-pair.ts); `openmoji` = OpenMoji's black line drawings → Noto Emoji,
 * the same kind of classes (bench/src/openmoji-pair.ts). Artifacts and the feature cache live in
 * artifacts/bench/domain-adaptation/<pair>/, so a rerun only trains.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runStage, CORE_CODE_DIR, type StageDefinition, type StageSpec } from '@graft/core';
import { splitDefinition } from '@graft/split';
import { extractDefinition } from '@graft/extract';
import { similarityDefinition } from '@graft/similarity';
import { trainDefinition } from '@graft/train';
import { adaptDefinition } from '@graft/adapt';
import { evaluateDefinition, type MethodScore } from '@graft/evaluate';
import { digitsPair } from './digits-pair.js';
import { emojiPair } from './emoji-pair.js';
import { openmojiPair } from './openmoji-pair.js';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: 'demo,digits' }, seeds: { type: 'string', default: '1,2,3' }, backbone: { type: 'string', default: 'inception_v3_mixed7' },
    methods: { type: 'string', default: 'source-only,coral,mmd,dann' }, selection: { type: 'string', default: 'source-validation' }, json: { type: 'boolean' },
  },
});
const root = resolve(import.meta.dirname, '..', '..');
const benchRoot = join(root, 'artifacts', 'bench', 'domain-adaptation');
const seeds = values.seeds.split(',').map(Number);

const defaults = (definition: StageDefinition<StageSpec>) => Object.fromEntries(Object.entries(definition.spec.params).map(([k, p]) => [k, p.default]));
async function run(definition: StageDefinition<StageSpec>, out: string, overrides: Record<string, unknown>, folders: { data?: string; target?: string } = {}) {
  const started = performance.now();
  const outcome = await runStage(definition.spec, definition.run, { params: { ...defaults(definition), ...overrides } as never, out, ...folders, quiet: true, codeDirs: [...definition.codeDirs, CORE_CODE_DIR] });
  return { outcome, seconds: (performance.now() - started) / 1000 };
}

const stage = <S extends StageSpec>(d: StageDefinition<S>) => d as unknown as StageDefinition<StageSpec>;

async function pairFolders(pair: string): Promise<{ source: string; target: string }> {
  if (pair === 'demo') return { source: join(root, 'data/emoji-demo5/noto'), target: join(root, 'data/emoji-demo5/fluent-flat') };
  if (pair === 'digits') return digitsPair(join(benchRoot, 'digits-data'), { copies: 5, perClass: 100 });
  if (pair === 'emoji') return emojiPair(join(benchRoot, 'emoji-data'), { classes: 17, perClass: 40 });
  if (pair === 'openmoji') return openmojiPair(join(benchRoot, 'openmoji-data'), { classes: 17, perClass: 40 });
  throw new Error(`unknown pair ${pair}: demo, digits, emoji or openmoji`);
}

const format = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd, text: `${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)}` };
};

/** Per seed: the recommended model's target accuracy, and the best and worst of every model's (what a user without target labels could have landed on). */
function recommendedBestWorst(runs: MethodScore[][]) {
  const accuracy = (m: MethodScore) => m.target_accuracy ?? NaN;
  return {
    recommended: runs.map((run) => accuracy(run.find((m) => m.recommended) ?? run[0]!)),
    recommendedMethods: runs.map((run) => (run.find((m) => m.recommended) ?? run[0]!).method),
    best: runs.map((run) => Math.max(...run.map(accuracy))),
    worst: runs.map((run) => Math.min(...run.map(accuracy))),
  };
}

const results: Record<string, unknown>[] = [];
for (const pair of values.pairs.split(',')) {
  const { source, target } = await pairFolders(pair);
  const out = join(benchRoot, pair);
  const split = await run(stage(splitDefinition), out, {}, { data: source, target });
  const extract = await run(stage(extractDefinition), out, { backbone: values.backbone }, { data: source, target });
  const similarity = await run(stage(similarityDefinition), out, {});
  const runs: MethodScore[][] = [];
  const perSeed: Record<string, unknown>[] = [];
  let adaptSeconds = 0;
  for (const seed of seeds) {
    await run(stage(trainDefinition), out, { seed });
    const adapt = await run(stage(adaptDefinition), out, { adaptSeed: seed, adaptMethods: values.methods, adaptSelection: values.selection });
    adaptSeconds += adapt.seconds;
    const evaluate = await run(stage(evaluateDefinition), out, {});
    runs.push(evaluate.outcome.summary.methods as MethodScore[]);
    perSeed.push({ seed, diagnostics: adapt.outcome.summary.methods, scores: evaluate.outcome.summary.methods });
    if (!values.json) process.stderr.write(`${pair} seed ${seed}: adapt ${adapt.seconds.toFixed(0)}s, recommended ${evaluate.outcome.summary.recommended}\n`);
  }
  const chosen = recommendedBestWorst(runs);
  const sourceOnly = runs.map((run) => run.find((m) => m.method === 'source-only')!.target_accuracy ?? NaN);
  const similaritySummary = similarity.outcome.summary as { line: string; proxyADistance: number; mmdGaussian: number; mmdGaussianPValue: number };
  const row = {
    pair, source, target, backbone: values.backbone, seeds, split: split.outcome.summary, similarity: similaritySummary.line,
    proxyADistance: similaritySummary.proxyADistance, mmdGaussian: similaritySummary.mmdGaussian,
    extractSeconds: Number(extract.seconds.toFixed(1)), engine: extract.outcome.summary.engine, adaptSecondsPerSeed: Number((adaptSeconds / seeds.length).toFixed(1)),
    methods: runs[0]!.map((m) => ({
      method: m.method, selection: m.selection,
      targetAccuracy: format(runs.map((run) => run.find((x) => x.method === m.method)!.target_accuracy ?? NaN)),
      sourceAccuracy: format(runs.map((run) => run.find((x) => x.method === m.method)!.source_accuracy)),
      recommendedIn: runs.filter((run) => run.find((x) => x.method === m.method)!.recommended).length,
    })),
    recommended: { ...format(chosen.recommended), methods: chosen.recommendedMethods, minusSourceOnly: format(chosen.recommended.map((a, i) => a - sourceOnly[i]!)) },
    best: format(chosen.best), worst: format(chosen.worst), perSeed,
  };
  results.push(row);
  if (!values.json) {
    const summary = split.outcome.summary as Record<string, number>;
    process.stdout.write(`\n${pair}: ${source} → ${target} (${summary.images} source, ${summary.targetImages} target images, target test N=${summary.targetTest}; ${values.backbone})\n`);
    process.stdout.write(`similarity: ${row.similarity} (MMD² Gaussian ${row.mmdGaussian.toFixed(4)})\n`);
    process.stdout.write(`| model | target test accuracy % | source test accuracy % | recommended in |\n|---|---|---|---|\n`);
    for (const m of row.methods) process.stdout.write(`| ${m.method} | ${m.targetAccuracy.text} | ${m.sourceAccuracy.text} | ${m.recommendedIn}/${seeds.length} |\n`);
    process.stdout.write(`| **recommended** (${chosen.recommendedMethods.join(', ')}) | ${row.recommended.text} | | recommended − source-only: ${row.recommended.minusSourceOnly.text} |\n`);
    process.stdout.write(`| best of all (per seed) | ${row.best.text} | | |\n| worst of all (per seed) | ${row.worst.text} | | |\n`);
    process.stdout.write(`(extract ${row.extractSeconds}s with ${row.engine}; adapt ${row.adaptSecondsPerSeed}s per seed; selection: ${values.selection}; seeds ${seeds.join(', ')})\n`);
  }
}
if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
