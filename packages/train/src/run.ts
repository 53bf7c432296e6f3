import { dirname } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { DatasetError, Progress, writeParquetFile, type StageFunction } from '@graft/core';
import { readBottlenecks } from '@graft/extract';
import { classLabels, readClasses } from '@graft/split';
import { saveLayersModel, useTfjsBackend } from '@graft/tf';
import { trainStage } from './spec.js';
import { selectSplit } from './features.js';
import { trainSoftmax } from './softmax-training.js';
import { headToLayersModel } from './head-model.js';
import { headTable, metricsTable } from './tables.js';

/** The train stage: fit the softmax head on train-split features, track validation, save the head. */
export const runTrain: StageFunction<typeof trainStage> = async (context) => {
  const { params } = context;
  const bottlenecks = await readBottlenecks(context.inputPath('bottlenecks'));
  const labels = classLabels(await readClasses(context.inputPath('classes')));
  const train = selectSplit(bottlenecks, 'train');
  const validation = selectSplit(bottlenecks, 'validation');
  if (train.count === 0) throw new DatasetError('train: the train split is empty — check split --validation-percent / --test-percent');
  const backend = await useTfjsBackend();
  context.log(`train: ${train.count} train / ${validation.count} validation images, ${bottlenecks.featureDim}-d features, ${labels.length} classes, tfjs backend ${backend}`);
  const progress = new Progress('train: steps', params.steps, { quiet: context.quiet });
  const started = performance.now();
  const { head, curve } = await trainSoftmax(train, validation, { ...params, classCount: labels.length }, progress);
  const seconds = (performance.now() - started) / 1000;
  progress.finish();
  const last = curve[curve.length - 1]!;
  context.log(
    `train: ${last.step} steps in ${seconds.toFixed(1)}s; loss ${last.loss.toFixed(4)}, train accuracy ${(100 * last.trainAccuracy).toFixed(1)}%` +
      (last.validationAccuracy !== null ? `, validation accuracy ${(100 * last.validationAccuracy).toFixed(1)}% (N=${validation.count})` : ''),
  );

  const details = { backend, backbone: bottlenecks.provenance.backbone, preprocessing: bottlenecks.provenance.preprocessing, labels };
  await writeParquetFile(context.outputPath('head'), headTable(head, labels, context.artifactMetadata('head', details)));
  await writeParquetFile(context.outputPath('metrics'), metricsTable(curve, context.artifactMetadata('metrics', details)));
  await saveLayersModel(headToLayersModel(head), dirname(context.outputPath('model')), { labels, backbone: bottlenecks.provenance.backbone, preprocessing: bottlenecks.provenance.preprocessing });
  await writeFile(context.outputPath('labels'), labels.join('\n') + '\n');
  return {
    summary: { steps: last.step, loss: last.loss, trainAccuracy: last.trainAccuracy, validationAccuracy: last.validationAccuracy, validationImages: validation.count, trainImages: train.count, backend },
    details,
  };
};
