import { checkParam, choiceMessage, kebabCase, ParamError, type ParamValues } from '@graft/core';
import { trainStage } from './spec.js';

type TrainParams = ParamValues<typeof trainStage>;
type SweepableName = Exclude<keyof TrainParams, 'sweep'>;

/** Short names accepted in --sweep besides every train flag name. */
export const SWEEP_ALIASES: Readonly<Record<string, SweepableName>> = Object.freeze({ lr: 'learningRate', hidden: 'hiddenUnits', patience: 'earlyStoppingPatience', batch: 'batchSize' });

/** More runs than this is a typo, not a sweep. */
export const MAX_SWEEP_RUNS = 256;

/** One run of a sweep: the params it overrides and how they read as flags. */
export interface SweepRun {
  readonly overrides: Partial<TrainParams>;
  /** `learning-rate=0.01 hidden-units=256` (empty when nothing is swept). */
  readonly settings: string;
}

/**
 * The grid of a --sweep value: space-separated `name=v1,v2,…` items, names being train flags
 * (kebab-case) or the short names lr, hidden, patience, batch. Every value is checked like the flag
 * itself. Runs are the Cartesian product, the first item varying slowest. An empty sweep is one run.
 */
export function sweepRuns(sweep: string): SweepRun[] {
  const items = sweep.split(/\s+/).filter(Boolean);
  const byFlag = new Map(Object.keys(trainStage.params).filter((name) => name !== 'sweep').map((name) => [kebabCase(name), name as SweepableName]));
  const axes: { name: SweepableName; values: unknown[] }[] = [];
  for (const item of items) {
    const match = /^([a-z0-9-]+)=(.+)$/.exec(item);
    if (!match) throw new ParamError(`train --sweep: '${item}' is not name=value1,value2,… (e.g. --sweep lr=0.001,0.01 hidden=0,256)`);
    const [, key, list] = match;
    const name = SWEEP_ALIASES[key!] ?? byFlag.get(key!);
    if (!name) throw new ParamError(`train --sweep: ${choiceMessage('train param', key!, [...Object.keys(SWEEP_ALIASES), ...byFlag.keys()])}`);
    if (axes.some((axis) => axis.name === name)) throw new ParamError(`train --sweep: ${kebabCase(name)} is listed twice`);
    const values = list!.split(',').map((value) => checkParam('train', name, trainStage.params[name], value));
    if (new Set(values).size !== values.length) throw new ParamError(`train --sweep: ${key}=${list} repeats a value`);
    axes.push({ name, values });
  }
  let runs: SweepRun[] = [{ overrides: {}, settings: '' }];
  for (const axis of axes) {
    runs = runs.flatMap((run) =>
      axis.values.map((value) => ({ overrides: { ...run.overrides, [axis.name]: value }, settings: `${run.settings}${run.settings ? ' ' : ''}${kebabCase(axis.name)}=${value}` })),
    );
  }
  if (runs.length > MAX_SWEEP_RUNS) throw new ParamError(`train --sweep: ${runs.length} runs is more than the ${MAX_SWEEP_RUNS} allowed`);
  return runs;
}

/** Outcome of one run, as the choice sees it. */
export interface RunScore {
  readonly validationAccuracy: number | null;
  readonly validationLoss: number | null;
}

/** Index of the best run: highest validation accuracy, then lowest validation loss, then the first. */
export function chooseRun(scores: readonly RunScore[]): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) {
    const [a, b] = [scores[i]!, scores[best]!];
    const accuracy = (a.validationAccuracy ?? -1) - (b.validationAccuracy ?? -1);
    if (accuracy > 0 || (accuracy === 0 && (a.validationLoss ?? Infinity) < (b.validationLoss ?? Infinity))) best = i;
  }
  return best;
}
