import { existsSync, readFileSync } from 'node:fs';
import { readAdaptPredictions, readMethods } from '@graft/adapt/tables';
import { selectDomain, type Bottlenecks } from '@graft/extract/tables';
import { domainOf } from '@graft/split/tables';
import { headProbabilities, type TrainedHead } from '@graft/train/head';
import { argmaxRows } from './predict-features.js';

/** One method's accuracy on the held-out target test set and on the source test split. */
export interface MethodScore {
  readonly method: string;
  /** How its checkpoint was chosen: never with target labels. */
  readonly selection: string;
  /** Accuracy on the labelled target test images; null when the target is unlabelled. */
  readonly target_accuracy: number | null;
  readonly source_accuracy: number;
  /** The model adapt recommends deploying (chosen without target labels; graft export deploys it). */
  readonly recommended: boolean;
  /** The recommendation rule's verdict on this model, without target labels (null for train-head). */
  readonly verdict: string | null;
}

/** The domain-adaptation part of the evaluate report. */
export interface TargetEvaluation {
  /** Labelled target test images scored (0 for an unlabelled target). */
  readonly targetTestImages: number;
  readonly targetLabelled: boolean;
  /** The selection rule of the adapt stage, as it says itself. */
  readonly selection: string | null;
  readonly similarity: string | null;
  readonly methods: MethodScore[];
  /** The recommended method (adapt's rule, no target labels) and the rule; null without adapt results. */
  readonly recommended: string | null;
  readonly recommendationRule: string | null;
  /** Why adapt results were not scored, when they were not. */
  readonly note: string | null;
}

const HEAD_SELECTION = 'none: fixed number of steps (train stage)';

function accuracy(truth: readonly number[], predicted: ArrayLike<number>): number | null {
  if (truth.length === 0) return null;
  let correct = 0;
  truth.forEach((label, i) => (correct += label === predicted[i] ? 1 : 0));
  return correct / truth.length;
}

/**
 * Score, on the held-out target test images (the only place target labels are read), the train
 * stage's head and every adapt method, next to their source test accuracy.
 */
export async function evaluateTarget(
  all: Bottlenecks,
  head: TrainedHead,
  classCount: number,
  inputs: { adaptPredictions: string; adaptMethods: string; similarity: string; bottlenecksHash: string },
  log: (message: string) => void,
): Promise<TargetEvaluation | undefined> {
  const target = selectDomain(all, 'target');
  if (target.rows.length === 0 || target.rows.some((row) => domainOf(row) !== 'target')) return undefined;
  const source = selectDomain(all, 'source');
  const isTest = (row: { split: string }) => row.split === 'test';
  const targetTest = target.rows.flatMap((row, i) => (isTest(row) && row.classIndex >= 0 ? [i] : []));
  const sourceTest = source.rows.flatMap((row, i) => (isTest(row) ? [i] : []));
  const targetLabelled = target.rows.some((row) => row.classIndex >= 0);

  const headPredicted = (b: Bottlenecks) => argmaxRows(headProbabilities(head, b.features), classCount).predicted;
  const headTarget = headPredicted(target);
  const headSource = headPredicted(source);
  const methods: MethodScore[] = [
    {
      method: 'train-head', selection: HEAD_SELECTION,
      target_accuracy: accuracy(targetTest.map((i) => target.rows[i]!.classIndex), targetTest.map((i) => headTarget[i]!)),
      source_accuracy: accuracy(sourceTest.map((i) => source.rows[i]!.classIndex), sourceTest.map((i) => headSource[i]!)) ?? 0,
      recommended: false, verdict: null,
    },
  ];
  let selection: string | null = null;
  let recommended: string | null = null;
  let recommendationRule: string | null = null;
  let note: string | null = null;
  if (existsSync(inputs.adaptPredictions) && existsSync(inputs.adaptMethods)) {
    const predictions = await readAdaptPredictions(inputs.adaptPredictions);
    const trainedOn = (predictions.provenance.inputs as Record<string, string> | undefined)?.['extract/bottlenecks.parquet'];
    if (trainedOn !== inputs.bottlenecksHash) {
      note = 'adapt results were made from other bottlenecks: not scored (rerun graft adapt)';
      log(`evaluate: ${note}`);
    } else {
      const rowOf = new Map<string, number>();
      predictions.method.forEach((method, i) => rowOf.set(`${method}\u0000${predictions.domain[i]}\u0000${predictions.path[i]}`, i));
      const predictedFor = (method: string, domain: string, path: string) => predictions.predicted[rowOf.get(`${method}\u0000${domain}\u0000${path}`)!]!;
      recommendationRule = (predictions.provenance as { recommendationRule?: string }).recommendationRule ?? null;
      for (const result of await readMethods(inputs.adaptMethods)) {
        if (result.recommended) recommended = result.method;
        if (result.method === 'train-head') {
          // adapt judged train's head (the recommendation's baseline) but made no predictions for it: scored above.
          methods[0] = { ...methods[0]!, recommended: result.recommended, verdict: result.verdict };
          continue;
        }
        selection = result.selection;
        methods.push({
          method: result.method, selection: result.selection,
          target_accuracy: accuracy(targetTest.map((i) => target.rows[i]!.classIndex), targetTest.map((i) => predictedFor(result.method, 'target', target.rows[i]!.path))),
          source_accuracy: accuracy(sourceTest.map((i) => source.rows[i]!.classIndex), sourceTest.map((i) => predictedFor(result.method, 'source', source.rows[i]!.path))) ?? 0,
          recommended: result.recommended, verdict: result.verdict,
        });
      }
    }
  } else {
    note = 'no adapt results: run graft adapt (graft run does, with --target)';
  }
  const similarity = existsSync(inputs.similarity) ? ((JSON.parse(readFileSync(inputs.similarity, 'utf8')) as { line?: string }).line ?? null) : null;
  return { targetTestImages: targetTest.length, targetLabelled, selection, similarity, methods, recommended, recommendationRule, note };
}

/** "Target test accuracy (N=132; selection: source-validation): train-head 55.3%, source-only 56.1%, mmd 60.2% (recommended), …" */
export function targetHeadline(evaluation: TargetEvaluation): string {
  const recommended = evaluation.recommended ? `\nRecommended model (chosen without target labels; graft export deploys it): ${evaluation.recommended}` : '';
  if (!evaluation.targetLabelled) return `Target domain unlabelled: no target accuracy (label the target folder by class to score adaptation)${recommended}`;
  const scores = evaluation.methods.map((m) => `${m.method} ${m.target_accuracy === null ? 'n/a' : `${(100 * m.target_accuracy).toFixed(1)}%`}${m.recommended ? ' (recommended)' : ''}`).join(', ');
  return `Target test accuracy (N=${evaluation.targetTestImages}${evaluation.selection ? `; selection without target labels: ${evaluation.selection}` : ''}): ${scores}${recommended}`;
}
