import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BackboneError, cacheDir, cpuCount, DatasetError, GRAFT_METADATA_KEY, Progress, stableStringify, writeFileAtomic, writeParquetFile, type StageFunction } from '@graft/core';
import { augmentedRows, readBottlenecks, type AugmentationSettings } from '@graft/extract';
import { loadTrainedBackbone, readTrainedHeadMetadata, writeClassifier } from '@graft/export';
import { domainOf, type ManifestRow } from '@graft/split';
import { loadLayersModel, useTfjsBackend } from '@graft/tf';
import { finetuneStage } from './spec.js';
import { cutLayer } from './blocks.js';
import { lowerModel, upperModel } from './split-model.js';
import { computeCutActivations, gatherActivations, openCutActivations, type CutActivationSource } from './activations.js';
import { fineTune, score, type TrainingState } from './train-upper.js';
import { EpochCheckpoint } from './checkpoint.js';
import { metricsTable } from './tables.js';
import { finetunePageHtml } from './report-page.js';
import { registerWasmGradients } from './wasm-gradients.js';

const seconds = (since: number) => Number(((performance.now() - since) / 1000).toFixed(1));

/** The cached activations of one split's images, each followed by its distorted copies (extract's keys) when `augmentation` is given. */
async function activationsOf(source: CutActivationSource, rows: readonly ManifestRow[], augmentation: AugmentationSettings | undefined) {
  const copies = new Map<string, string[]>();
  for (const copy of augmentation ? augmentedRows(rows, augmentation) : []) copies.set(copy.row.path, [...(copies.get(copy.row.path) ?? []), copy.key]);
  const entries = rows.flatMap((row) => [row.sha256, ...(copies.get(row.path) ?? [])].map((key) => ({ key, classIndex: row.classIndex })));
  return gatherActivations(source, entries);
}

/** The finetune stage: top blocks of the backbone + the trained head, trained on cached cut activations, exported whole. */
export const runFinetune: StageFunction<typeof finetuneStage> = async (context) => {
  const { params } = context;
  if (!context.data) throw new DatasetError('finetune reads the images: pass --data <the folder split read>');
  if (!existsSync(context.data)) throw new DatasetError(`finetune: the dataset folder ${context.data} does not exist: pass --data <the folder split read>`);
  const started = performance.now();
  const trained = await readTrainedHeadMetadata(context.inputPath('model'), context.inputPath('labels'));
  const bottlenecks = await readBottlenecks(context.inputPath('bottlenecks'));
  if (bottlenecks.provenance.backbone.weightsSha256 !== trained.backbone.weightsSha256) throw new BackboneError(`the head in ${context.inputPath('model')} was trained on other features than ${context.inputPath('bottlenecks')}: rerun \`graft train\``);
  const rows = bottlenecks.rows.filter((row) => domainOf(row) === 'source');
  const ofSplit = (split: string) => rows.filter((row) => row.split === split);

  const backend = await useTfjsBackend();
  if (backend === 'wasm') registerWasmGradients();
  const backbone = await loadTrainedBackbone(trained.backbone, trained.preprocessing);
  const featureModel = await backbone.featureModel();
  const cut = cutLayer(featureModel, backbone.layer, params.finetuneBlocks);
  const lower = lowerModel(featureModel, cut);
  const upper = upperModel(featureModel, cut, backbone.layer);
  const unfrozenLayers = upper.model.layers.filter((layer) => layer.trainableWeights.length > 0).map((layer) => layer.name);
  const unfrozenWeights = upper.model.trainableWeights.reduce((sum, weight) => sum + weight.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  const head = await loadLayersModel(context.inputPath('model'));
  context.log(`finetune: ${backbone.id}, cut after ${cut}: ${params.finetuneBlocks} block(s) unfrozen (${unfrozenLayers.length} layers, ${unfrozenWeights.toLocaleString('en-US')} weights; ${upper.frozenBatchNorm.length} BatchNorm layers frozen) + the trained head; tfjs backend ${backend}`);

  // The frozen lower part runs once per image (and distorted copy); its outputs are cached like bottlenecks.
  const activationsStarted = performance.now();
  const augmentation: AugmentationSettings = {
    copies: params.finetuneCopies, flipLeftRight: params.finetuneFlipLeftRight, randomCrop: params.finetuneRandomCrop,
    randomScale: params.finetuneRandomScale, randomBrightness: params.finetuneRandomBrightness, seed: params.finetuneSeed,
  };
  const source = await openCutActivations(backbone, featureModel, lower, cut, context.out);
  const { failed, computed } = await computeCutActivations(source, rows, { dataDir: context.data, augmentation, threads: cpuCount(), out: context.out, quiet: context.quiet, log: context.log });
  if (failed.size > 0) context.log(`finetune: ${failed.size} image(s) or copies could not be computed and are left out (${[...new Set(failed.values())].slice(0, 3).join('; ')})`);
  const train = await activationsOf(source, ofSplit('train'), augmentation);
  const validation = await activationsOf(source, ofSplit('validation'), undefined);
  const test = await activationsOf(source, ofSplit('test'), undefined);
  const activationSeconds = seconds(activationsStarted);
  if (train.count === 0 || validation.count === 0) throw new DatasetError(`finetune needs train and validation images; found ${train.count} train and ${validation.count} validation activations`);

  const frozen = score(upper.model, head, test);
  const trainingStarted = performance.now();
  const progress = new Progress('finetune: images', train.count * params.finetuneEpochs, { quiet: context.quiet });
  const checkpoint = new EpochCheckpoint<TrainingState>(join(cacheDir(context.out), 'finetune-checkpoints', context.provenance.key.slice(0, 24)));
  const tuned = await fineTune(upper.model, head, train, validation, {
    epochs: params.finetuneEpochs, batchSize: params.finetuneBatchSize, learningRate: params.finetuneLearningRate,
    backboneLearningRateFactor: params.finetuneBackboneFactor, patience: params.finetunePatience, seed: params.finetuneSeed,
  }, {
    progress, checkpoint, log: context.log,
    onEpoch: (point, best) => context.log(`finetune: epoch ${point.epoch}: train loss ${point.trainLoss.toFixed(3)}, validation loss ${point.validationLoss.toFixed(3)}, accuracy ${(100 * point.validationAccuracy).toFixed(1)}%${best ? ' (best so far)' : ''}`),
  });
  progress.finish();
  const trainingSeconds = seconds(trainingStarted);
  const fineTuned = score(upper.model, head, test);

  const engines: Record<string, number> = {};
  for (const set of [train, validation, test]) for (const [engine, count] of Object.entries(set.engines)) engines[engine] = (engines[engine] ?? 0) + count;
  const details = { backend, backbone: trained.backbone, preprocessing: trained.preprocessing, labels: trained.labels, cut, unfrozenLayers, frozenBatchNorm: upper.frozenBatchNorm.length, cutActivationEngines: engines };
  const finetune = { cut, blocks: params.finetuneBlocks, unfrozenLayers, bestEpoch: tuned.bestEpoch };
  const provenance = (JSON.parse(context.artifactMetadata('metadata', details).get(GRAFT_METADATA_KEY)!) as { provenance: Record<string, unknown> }).provenance;
  await writeClassifier(context.outputPath('model'), context.outputPath('metadata'), {
    featureModel, head, labels: trained.labels, preprocessing: trained.preprocessing, backbone: trained.backbone, headShape: trained.head, provenance, finetune,
  });
  await writeParquetFile(context.outputPath('metrics'), metricsTable(tuned.curve, context.artifactMetadata('metrics', details)));
  const report = {
    backbone: backbone.id, cut, blocks: params.finetuneBlocks, unfrozenLayers, unfrozenWeights, frozenBatchNorm: upper.frozenBatchNorm.length,
    testImages: test.count, frozenTestAccuracy: frozen.accuracy, fineTunedTestAccuracy: fineTuned.accuracy,
    trainImages: ofSplit('train').length, trainActivations: train.count, validationImages: validation.count, augmentedCopies: params.finetuneCopies,
    epochs: tuned.curve.length - 1, bestEpoch: tuned.bestEpoch, cutActivationEngines: engines, tfjsBackend: backend,
  };
  // Times go to the log and the --json summary, not into the (cached, deterministic) artifacts.
  const times = { activations: activationSeconds, training: trainingSeconds, total: seconds(started) };
  context.log(`finetune: ${times.total} s (cut activations ${times.activations} s, ${computed} computed; training ${times.training} s)`);
  await writeFileAtomic(context.outputPath('report'), stableStringify(report, 2) + '\n');
  await writeFileAtomic(context.outputPath('page'), await finetunePageHtml({ ...report, curve: tuned.curve, params }));
  const headline = `Fine-tuned test accuracy = ${(100 * fineTuned.accuracy).toFixed(1)}% (frozen ${(100 * frozen.accuracy).toFixed(1)}%, N=${test.count}; ${params.finetuneBlocks} block(s) of ${backbone.id} unfrozen, best epoch ${tuned.bestEpoch} of ${report.epochs})`;
  await checkpoint.clear(); // last: a kill before this point resumes from the last finished epoch
  return { summary: { frozenTestAccuracy: frozen.accuracy, fineTunedTestAccuracy: fineTuned.accuracy, testImages: test.count, bestEpoch: tuned.bestEpoch, epochs: report.epochs, cutActivationsComputed: computed, seconds: times, headline }, details };
};
