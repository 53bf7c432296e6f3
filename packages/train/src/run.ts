import { dirname } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { DatasetError, ParamError, Progress, writeParquetFile, type StageFunction } from '@graft/core';
import { readAugmented, readBottlenecks } from '@graft/extract';
import { classLabels, readClasses } from '@graft/split';
import { saveLayersModel, useTfjsBackend } from '@graft/tf';
import { trainStage } from './spec.js';
import { selectSplit, withAugmented } from './features.js';
import { trainHead, type TrainingOptions, type TrainingResult } from './head-training.js';
import { headToLayersModel } from './head-model.js';
import { headTable, metricsTable } from './tables.js';
import { chooseRun, sweepRuns, type SweepRun } from './sweep.js';

const percent = (value: number | null) => (value === null ? 'n/a' : `${(100 * value).toFixed(1)}%`);

/**
 * The train stage: fit the head on train-split features (plus extract's distorted copies of them),
 * track validation, save the head. With --sweep, one run per grid point; the run with the best
 * validation accuracy is saved, every run's curve goes to metrics.parquet.
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
  const backend = await useTfjsBackend();
  context.log(
    `train: ${original.count} train images${added ? ` + ${added} distorted copies` : ''} / ${validation.count} validation images, ${bottlenecks.featureDim}-d features, ${labels.length} classes, tfjs backend ${backend}` +
      (runs.length > 1 ? `; sweep of ${runs.length} runs` : ''),
  );

  const results: { run: SweepRun; options: TrainingOptions; result: TrainingResult }[] = [];
  for (const [index, run] of runs.entries()) {
    const options: TrainingOptions = { ...base, ...run.overrides, classCount: labels.length };
    const label = runs.length > 1 ? `train: run ${index + 1}/${runs.length} (${run.settings})` : 'train: steps';
    const progress = new Progress(label, options.steps, { quiet: context.quiet });
    const started = performance.now();
    const result = await trainHead(train, validation, options, progress);
    progress.finish();
    const { kept, stepsRun } = result;
    context.log(
      `${label}: ${stepsRun} steps in ${((performance.now() - started) / 1000).toFixed(1)}s` +
        (stepsRun < options.steps ? ' (early stopping)' : '') +
        `; kept step ${kept.step}: loss ${kept.loss.toFixed(4)}, train accuracy ${percent(kept.trainAccuracy)}, validation accuracy ${percent(kept.validationAccuracy)} (N=${validation.count})`,
    );
    results.push({ run, options, result });
  }
  const chosenIndex = chooseRun(results.map(({ result }) => result.kept));
  const chosen = results[chosenIndex]!;
  if (runs.length > 1) context.log(`train: chose run ${chosenIndex + 1} (${chosen.run.settings}): validation accuracy ${percent(chosen.result.kept.validationAccuracy)}`);

  const { classCount: _, ...trainedWith } = chosen.options;
  const head = chosen.result.head;
  const headShape = { featureDim: head.featureDim, hiddenUnits: head.hidden?.units ?? 0, hiddenActivation: head.hidden?.activation ?? null, classCount: head.classCount };
  const details = {
    backend,
    backbone: bottlenecks.provenance.backbone,
    preprocessing: bottlenecks.provenance.preprocessing,
    labels,
    head: headShape,
    trainedWith,
    augmentedCopiesUsed: added,
    ...(runs.length > 1
      ? {
          sweep: {
            runs: results.map(({ run, result }, index) => ({ run: index, settings: run.settings, stepsRun: result.stepsRun, keptStep: result.kept.step, validationAccuracy: result.kept.validationAccuracy, validationLoss: result.kept.validationLoss })),
            chosen: { run: chosenIndex, settings: chosen.run.settings },
          },
        }
      : {}),
  };
  await writeParquetFile(context.outputPath('head'), headTable(head.output, labels, context.artifactMetadata('head', details)));
  const curves = results.map(({ run, result }, index) => ({ run: index, settings: run.settings, chosen: index === chosenIndex, curve: result.curve }));
  await writeParquetFile(context.outputPath('metrics'), metricsTable(curves, context.artifactMetadata('metrics', details)));
  const model = headToLayersModel(head);
  await saveLayersModel(model, dirname(context.outputPath('model')), { labels, backbone: bottlenecks.provenance.backbone, preprocessing: bottlenecks.provenance.preprocessing, head: headShape });
  model.dispose();
  await writeFile(context.outputPath('labels'), labels.join('\n') + '\n');
  const { kept, stepsRun } = chosen.result;
  return {
    summary: {
      steps: stepsRun, keptStep: kept.step, loss: kept.loss, trainAccuracy: kept.trainAccuracy, validationAccuracy: kept.validationAccuracy,
      validationImages: validation.count, trainImages: original.count, augmentedImages: added, backend,
      ...(runs.length > 1 ? { runs: runs.length, chosenRun: chosenIndex, chosenSettings: chosen.run.settings } : {}),
    },
    details,
  };
};
