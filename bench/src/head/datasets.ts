import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_CODE_DIR, runStage, type StageDefinition, type StageSpec } from '@graft/core';
import { splitDefinition } from '@graft/split';
import { extractDefinition, readBottlenecks } from '@graft/extract';
import { pickRows, stratifiedFolds, type LabelledFeatures } from '@graft/train';
import { digitsPair } from '../digits-pair.js';
import { REPO_ROOT } from '../project-copy.js';

/** Rows of a dataset's bottleneck table used to train, watch and test one head. */
export interface Protocol {
  readonly train: number[];
  readonly validation: number[];
  readonly test: number[];
}

export interface BenchDataset {
  readonly name: string;
  /** How the test rows are chosen, in words. */
  readonly protocol: string;
  readonly all: LabelledFeatures;
  readonly classCount: number;
  readonly splits: Protocol[];
  readonly extractEngine: string;
}

const defaults = (definition: StageDefinition<StageSpec>) => Object.fromEntries(Object.entries(definition.spec.params).map(([k, p]) => [k, p.default]));

/** split + extract into artifacts/bench/heads/<name> (features cached: a rerun only reads them). */
async function bottlenecksOf(name: string, data: string, backbone: string, split: Record<string, unknown>) {
  const out = join(REPO_ROOT, 'artifacts', 'bench', 'heads', `${name}-${backbone}`);
  const run = (definition: StageDefinition<StageSpec>, params: Record<string, unknown>) =>
    runStage(definition.spec, definition.run, { params: { ...defaults(definition), ...params } as never, out, data, quiet: true, codeDirs: [...definition.codeDirs, CORE_CODE_DIR] });
  await run(splitDefinition as unknown as StageDefinition<StageSpec>, split);
  const extract = await run(extractDefinition as unknown as StageDefinition<StageSpec>, { backbone });
  return { bottlenecks: await readBottlenecks(join(out, 'extract', 'bottlenecks.parquet')), engine: String(extract.summary.engine ?? 'cached') };
}

/** The datasets the head benchmark knows, by name. */
export const DATASET_NAMES = ['demo-noto', 'demo-fluent-flat', 'fashion-mnist', 'digits-fonts'] as const;

/**
 * Features and evaluation protocol of one dataset: stratified 5-fold cross-validation over every
 * image (demo styles, digits), or Graft's own split with the official test set (Fashion-MNIST,
 * `--test-pattern /test-`).
 */
export async function loadDataset(name: string, backbone: string, options: { fashionMnist: string; folds: number }): Promise<BenchDataset> {
  if (name === 'fashion-mnist') {
    if (!existsSync(options.fashionMnist)) {
      throw new Error(`${options.fashionMnist} does not exist: apt-get install dataset-fashion-mnist && node bench/dist/fashion-mnist-folders.js --out ${options.fashionMnist} --train-per-class 200 --test-per-class 100`);
    }
    const { bottlenecks, engine } = await bottlenecksOf(name, options.fashionMnist, backbone, { testPattern: '/test-' });
    const all = asLabelled(bottlenecks);
    const rowsOf = (split: string) => bottlenecks.rows.flatMap((row, i) => (row.split === split ? [i] : []));
    return { name, protocol: 'Graft split (train / validation), official test images', all, classCount: classCount(all), splits: [{ train: rowsOf('train'), validation: rowsOf('validation'), test: rowsOf('test') }], extractEngine: engine };
  }
  const data =
    name === 'demo-noto' ? join(REPO_ROOT, 'data/emoji-demo5/noto')
    : name === 'demo-fluent-flat' ? join(REPO_ROOT, 'data/emoji-demo5/fluent-flat')
    : name === 'digits-fonts' ? (await digitsPair(join(REPO_ROOT, 'artifacts', 'bench', 'domain-adaptation', 'digits-data'), { copies: 5, perClass: 100 })).source
    : undefined;
  if (!data) throw new Error(`unknown dataset ${name}: ${DATASET_NAMES.join(', ')}`);
  const { bottlenecks, engine } = await bottlenecksOf(name, data, backbone, {});
  const all = asLabelled(bottlenecks);
  const classes = classCount(all);
  const foldOf = stratifiedFolds(all.labels, classes, options.folds, 11);
  const splits = Array.from({ length: options.folds }, (_, fold) => ({
    train: [...foldOf.keys()].filter((i) => foldOf[i] !== fold),
    validation: [],
    test: [...foldOf.keys()].filter((i) => foldOf[i] === fold),
  }));
  return { name, protocol: `${options.folds}-fold stratified cross-validation over all images`, all, classCount: classes, splits, extractEngine: engine };
}

function asLabelled(bottlenecks: Awaited<ReturnType<typeof readBottlenecks>>): LabelledFeatures {
  return { features: bottlenecks.features, labels: Int32Array.from(bottlenecks.rows, (r) => r.classIndex), paths: bottlenecks.rows.map((r) => r.path), count: bottlenecks.rows.length, dimension: bottlenecks.featureDim };
}

const classCount = (all: LabelledFeatures) => Math.max(...all.labels) + 1;

/** The given rows of a feature set. */
export const subset = pickRows;
