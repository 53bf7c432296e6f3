import { dirname } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { DatasetError, ParamError, Progress, writeParquetFile, type StageFunction } from '@graft/core';
import { readAugmented, readBottlenecks } from '@graft/extract/tables';
import { classLabels, readClasses } from '@graft/split/tables';
import { trainStage } from './spec.js';
import { selectSplit, withAugmented } from './features.js';
import { trainHead, type TrainingOptions, type TrainingProgress, type TrainingResult } from './head-training.js';
import { headShapeOf, writeHeadModel } from './head-model-file.js';
import { headTable, metricsTable, selectionTable, standardizationTable } from './tables.js';
import { chooseRun, sweepRuns, type SweepRun } from './sweep.js';

const percent = (value: number | null) => (value === null ? 'n/a' : `${(100 * value).toFixed(1)}%`);

/** How a run's head was fitted, in one phrase for the log. */
function fitDescription(result: TrainingResult, options: TrainingOptions): string {
  const l2 = result.selection
    ? `l2 ${result.l2} (chosen by ${result.selection.method === 'validation' ? 'validation accuracy' : `${result.selection.folds}-fold cross-validation: ${percent(result.selection.candidates.find((c) => c.l2 === result.l2)!.accuracy)}`} among ${result.selection.candidates.length})`
    : `l2 ${result.l2}`;
  const features = options.standardize ? 'standardized features' : 'raw features';
  if (result.solver) return `${features}, L-BFGS ${result.solver.iterations} iterations (${result.solver.stop}, max |gradient| ${result.solver.gradientNorm.toExponential(1)}), ${l2}`;
  return `${features}, ${result.optimizer} (learning rate ${result.learningRate}) ${result.stepsRun} steps${result.stepsRun < options.steps ? ' (early stopping)' : ''}, ${l2}`;
}

/**
 * The train stage: fit the head on train-split features (plus extract's distorted copies of them),
 * track validation, save the head with its standardization folded in. With --sweep, one run per
 * grid point; the run with the best validation accuracy is saved, every run's curve goes to
 * metrics.parquet.
 */
export const runTrain: StageFunction<typeof trainStage> = async (context) => {
  const { params } = context;
  const bottlenecks = await readBottlenecks(context.inputPath('bottlenecks'));
  const augmented = await readAugmented(context.inputPath('augmented'));
  const labels = classLabels(await readClasses(context.inputPath('classes')));
  const original = selectSplit(bottlenecks, 'train');
  const validation = selectSplit(bottlenecks, 'validation');
  if (original.count === 0) throw new DatasetError('train: the train split is empty — check split --validation-percent / --test-percent');
  const { features: train, added } = withAugmented(original, augmented);
  const { sweep, ...base } = params;
  const runs = sweepRuns(sweep);
  if (validation.count === 0) {
    if (runs.length > 1) throw new ParamError('train --sweep chooses by validation accuracy, but the validation split is empty: raise split --validation-percent');
    if (runs.some((run) => (run.overrides.earlyStoppingPatience ?? base.earlyStoppingPatience) > 0)) throw new ParamError('train --early-stopping-patience watches validation loss, but the validation split is empty: raise split --validation-percent');
  }
  context.log(
    `train: ${original.count} train images${added ? ` + ${added} distorted copies` : ''} / ${validation.count} validation images, ${bottlenecks.featureDim}-d features, ${labels.length} classes` +
      (runs.length > 1 ? `; sweep of ${runs.length} runs` : ''),
  );
  const progress: TrainingProgress = { start: (label, total) => new Progress(label, total, { quiet: context.quiet }) };

  const results: { run: SweepRun; options: TrainingOptions; result: TrainingResult }[] = [];
  for (const [index, run] of runs.entries()) {
    const options: TrainingOptions = { ...base, ...run.overrides, classCount: labels.length };
    const label = runs.length > 1 ? `train: run ${index + 1}/${runs.length} (${run.settings})` : 'train';
    const started = performance.now();
    const result = trainHead(train, validation, options, progress, original.count);
    const { kept } = result;
    context.log(
      `${label}: ${fitDescription(result, options)} in ${((performance.now() - started) / 1000).toFixed(2)}s; ` +
        `train accuracy ${percent(kept.trainAccuracy)}, validation accuracy ${percent(kept.validationAccuracy)} (N=${validation.count})`,
    );
    results.push({ run, options, result });
  }
  const chosenIndex = chooseRun(results.map(({ result }) => result.kept));
  const chosen = results[chosenIndex]!;
  if (runs.length > 1) context.log(`train: chose run ${chosenIndex + 1} (${chosen.run.settings}): validation accuracy ${percent(chosen.result.kept.validationAccuracy)}`);

  const { classCount: _, ...trainedWith } = chosen.options;
  const { head, optimizer, l2, selection, solver } = chosen.result;
  const headShape = headShapeOf(head, chosen.options.standardize);
  const details = {
    backbone: bottlenecks.provenance.backbone,
    preprocessing: bottlenecks.provenance.preprocessing,
    labels,
    head: headShape,
    trainedWith,
    fit: {
      optimizer, l2, kernels: 'wasm-simd',
      ...(selection ? { l2Selection: { method: selection.method, folds: selection.folds, candidates: selection.candidates.length, accuracy: selection.candidates.find((c) => c.l2 === l2)!.accuracy } } : {}),
      ...(solver ? { solver } : { steps: chosen.result.stepsRun, learningRate: chosen.result.learningRate }),
    },
    augmentedCopiesUsed: added,
    ...(runs.length > 1
      ? {
          sweep: {
            runs: results.map(({ run, result }, index) => ({ run: index, settings: run.settings, stepsRun: result.stepsRun, keptStep: result.kept.step, l2: result.l2, validationAccuracy: result.kept.validationAccuracy, validationLoss: result.kept.validationLoss })),
            chosen: { run: chosenIndex, settings: chosen.run.settings },
          },
        }
      : {}),
  };
  await writeParquetFile(context.outputPath('head'), headTable(head.output, labels, context.artifactMetadata('head', details)));
  const curves = results.map(({ run, result }, index) => ({ run: index, settings: run.settings, chosen: index === chosenIndex, curve: result.curve }));
  await writeParquetFile(context.outputPath('metrics'), metricsTable(curves, context.artifactMetadata('metrics', details)));
  await writeParquetFile(context.outputPath('selection'), selectionTable(results.map(({ result }, run) => ({ run, selection: result.selection })), context.artifactMetadata('selection', details)));
  await writeParquetFile(context.outputPath('standardization'), standardizationTable(chosen.result.scaling, context.artifactMetadata('standardization', details)));
  await writeHeadModel(head, dirname(context.outputPath('model')), { labels, backbone: bottlenecks.provenance.backbone, preprocessing: bottlenecks.provenance.preprocessing, head: headShape });
  await writeFile(context.outputPath('labels'), labels.join('\n') + '\n');
  const { kept, stepsRun } = chosen.result;
  return {
    summary: {
      optimizer, l2, steps: stepsRun, keptStep: kept.step, loss: kept.loss, trainAccuracy: kept.trainAccuracy, validationAccuracy: kept.validationAccuracy,
      validationImages: validation.count, trainImages: original.count, augmentedImages: added,
      ...(solver ? { iterations: solver.iterations, gradientNorm: solver.gradientNorm, solverStop: solver.stop } : {}),
      ...(runs.length > 1 ? { runs: runs.length, chosenRun: chosenIndex, chosenSettings: chosen.run.settings } : {}),
    },
    details,
  };
};
