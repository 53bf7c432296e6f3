import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SchemaMismatchError, stableStringify, stageDir, writeFileAtomic, writeParquetFile, type StageFunction } from '@graft/core';
import { readBottlenecks, selectDomain } from '@graft/extract/tables';
import { headProbabilities, readHeadModel } from '@graft/train/head';
import { evaluateStage } from './spec.js';
import { argmaxRows } from './predict-features.js';
import { classificationMetrics } from './metrics.js';
import { predictionsTable } from './tables.js';
import { buildReportModel, renderReport } from './report/build-report.js';
import { evaluateTarget, targetHeadline } from './target-evaluation.js';
import { readDoctorSummary, rescoreWithoutLeaks } from './data-checks.js';

/** How many misclassified images the report lists (most confident first). */
const MISTAKES_LISTED = 50;

/** The evaluate stage: predictions for every image, metrics on the held-out split. */
export const runEvaluate: StageFunction<typeof evaluateStage> = async (context) => {
  const allBottlenecks = await readBottlenecks(context.inputPath('bottlenecks'));
  // Target-domain rows (--target) are scored apart, below; everything else is about the source domain.
  const bottlenecks = selectDomain(allBottlenecks, 'source');
  const labels = (await readFile(context.inputPath('labels'), 'utf8')).split('\n').filter((line) => line !== '');
  // The head's dense layers are applied with Graft's own kernels: no tfjs to load.
  const head = await readHeadModel(context.inputPath('model'));
  if (head.featureDim !== bottlenecks.featureDim || head.classCount !== labels.length) {
    throw new SchemaMismatchError(`the trained head takes ${head.featureDim}-d features to ${head.classCount} classes but the bottlenecks are ${bottlenecks.featureDim}-d with ${labels.length} labels: rerun \`graft train\``);
  }
  const probabilities = headProbabilities(head, bottlenecks.features);
  const { predicted, confidence } = argmaxRows(probabilities, labels.length);
  const split = context.params.split;
  const evaluated = bottlenecks.rows.flatMap((row, i) => (row.split === split ? [i] : []));
  const metrics = classificationMetrics(Int32Array.from(evaluated, (i) => bottlenecks.rows[i]!.classIndex), Int32Array.from(evaluated, (i) => predicted[i]!), labels);
  const mistakes = evaluated
    .filter((i) => predicted[i] !== bottlenecks.rows[i]!.classIndex)
    .sort((a, b) => confidence[b]! - confidence[a]! || (bottlenecks.rows[a]!.path < bottlenecks.rows[b]!.path ? -1 : 1))
    .slice(0, MISTAKES_LISTED)
    .map((i) => ({ row: bottlenecks.rows[i]!, predictedClass: labels[predicted[i]!]!, confidence: confidence[i]! }));

  // Dataset checks (doctor, when it ran): the accuracy without test images that copy training images.
  const doctor = await readDoctorSummary(context.inputPath('doctorSummary'));
  const withoutLeaks = doctor && split === 'test' ? rescoreWithoutLeaks(bottlenecks.rows, evaluated, predicted, doctor.leakedTestImages) : undefined;

  const details = { backbone: bottlenecks.provenance.backbone, labels };
  const report = {
    split,
    accuracy: metrics.accuracy,
    count: metrics.count,
    macroF1: metrics.macroF1,
    labels,
    perClass: metrics.perClass,
    confusionMatrix: metrics.confusion,
    misclassified: mistakes.map((m) => ({ path: m.row.path, trueClass: m.row.className, predictedClass: m.predictedClass, confidence: m.confidence })),
    backbone: bottlenecks.provenance.backbone.id,
    ...(withoutLeaks ? { withoutLeakedTestImages: withoutLeaks } : {}),
  };
  // Target domain (--target): the only place its labels are read.
  const adaptation = await evaluateTarget(allBottlenecks, head, labels.length, {
    adaptPredictions: context.inputPath('adaptPredictions'), adaptMethods: context.inputPath('adaptMethods'), similarity: context.inputPath('similarity'),
    bottlenecksHash: context.inputHashes['extract/bottlenecks.parquet']!,
  }, context.log);
  await writeFileAtomic(context.outputPath('report'), stableStringify(adaptation ? { ...report, adaptation } : report, 2) + '\n');
  await writeParquetFile(context.outputPath('predictions'), predictionsTable(bottlenecks.rows, labels, probabilities, predicted, confidence, context.artifactMetadata('predictions', details)));
  const reportModel = await buildReportModel(context, { split, labels, metrics, mistakes, backbone: bottlenecks.provenance.backbone.id, extractProvenance: bottlenecks.provenance, details, doctor, withoutLeaks, rowsByPath: new Map(bottlenecks.rows.map((row) => [row.path, row])), adaptation });
  await writeFileAtomic(context.outputPath('page'), await renderReport(reportModel));
  context.log(`evaluate: report ${join(stageDir(context.out, 'evaluate'), evaluateStage.outputs.page.file)}${reportModel.thumbnailsNote ? ` (${reportModel.thumbnailsNote.split(':')[0]})` : ''}`);
  const leakNote = withoutLeaks && withoutLeaks.leaked > 0
    ? `\n${withoutLeaks.leaked} of the ${metrics.count} test images copy a train / validation image (graft doctor): without them, ${withoutLeaks.accuracy === null ? 'no test image is left' : `test accuracy = ${(100 * withoutLeaks.accuracy).toFixed(1)}% (N=${withoutLeaks.count})`}`
    : '';
  const headline = `Final ${split} accuracy = ${(100 * metrics.accuracy).toFixed(1)}% (N=${metrics.count})${leakNote}`;
  if (adaptation) {
    const targetLine = targetHeadline(adaptation);
    context.log(`evaluate: ${targetLine}`);
    return { summary: { split, accuracy: metrics.accuracy, count: metrics.count, macroF1: metrics.macroF1, ...(withoutLeaks ? { withoutLeakedTestImages: withoutLeaks } : {}), headline: `${headline}\n${targetLine}`, methods: adaptation.methods, recommended: adaptation.recommended, recommendationRule: adaptation.recommendationRule, targetTestImages: adaptation.targetTestImages }, details };
  }
  return { summary: { split, accuracy: metrics.accuracy, count: metrics.count, macroF1: metrics.macroF1, ...(withoutLeaks ? { withoutLeakedTestImages: withoutLeaks } : {}), headline }, details };
};
