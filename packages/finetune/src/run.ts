import { dirname } from 'node:path';
import { readFile } from 'node:fs/promises';
import { BackboneError, DatasetError, Progress, stableStringify, writeFileAtomic, writeParquetFile, type StageFunction } from '@graft/core';
import { BUNDLED_BACKBONES, readBottlenecks, readBundledModel, type BundledBackboneId } from '@graft/extract';
import { domainOf, readManifest } from '@graft/split';
import { loadLayersModel, saveLayersModel, tf, useTfjsBackend } from '@graft/tf';
import { finetuneStage } from './spec.js';
import { cutLayer } from './blocks.js';
import { freezeBatchNorm, lowerModel, upperModel } from './split-model.js';
import { cutActivations } from './activations.js';
import { fineTune, score, type HeadWeights } from './train-upper.js';
import { classifierModel } from './export-model.js';
import { metricsTable } from './tables.js';
import { registerWasmGradients } from './wasm-gradients.js';

/** The head the train stage saved (layer `final_result`). */
async function readTrainedHead(path: string): Promise<HeadWeights> {
  const model = await loadLayersModel(path);
  const [kernel, bias] = model.getLayer('final_result').getWeights();
  const head = { kernel: Float32Array.from(kernel!.dataSync() as Float32Array), bias: Float32Array.from(bias!.dataSync() as Float32Array), featureDim: kernel!.shape[0]!, classCount: kernel!.shape[1]! };
  model.dispose();
  return head;
}

/** The full bundled backbone (all its layers, not only up to the feature layer). */
export async function loadBundledNetwork(id: string): Promise<tf.LayersModel> {
  const spec = BUNDLED_BACKBONES[id as BundledBackboneId];
  if (!spec) throw new BackboneError(`finetune works on the bundled backbones [${Object.keys(BUNDLED_BACKBONES).join(', ')}]; the bottlenecks came from ${id}`);
  const artifacts = readBundledModel(spec.weights);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, weightData: artifacts.weightData }));
}

/** The finetune stage: top blocks of the backbone + head trained on cached cut activations, exported whole. */
export const runFinetune: StageFunction<typeof finetuneStage> = async (context) => {
  const { params } = context;
  if (!context.data) throw new DatasetError('finetune reads the images: pass --data <the folder split read>');
  const started = performance.now();
  const backend = await useTfjsBackend();
  const bottlenecks = await readBottlenecks(context.inputPath('bottlenecks'));
  const { backbone, preprocessing } = bottlenecks.provenance;
  const labels = (await readFile(context.inputPath('labels'), 'utf8')).split('\n').filter(Boolean);
  const rows = (await readManifest(context.inputPath('manifest'))).filter((row) => domainOf(row) === 'source');
  const ofSplit = (split: string) => rows.filter((row) => row.split === split);
  const network = await loadBundledNetwork(backbone.id);
  const cut = cutLayer(network, backbone.layer, params.finetuneBlocks);
  const lower = lowerModel(network, cut);
  const upper = upperModel(network, cut, backbone.layer);
  const frozenBatchNorm = freezeBatchNorm(upper);
  const unfrozen = upper.layers.filter((layer) => layer.trainableWeights.length > 0).map((layer) => layer.name);
  context.log(`finetune: ${backbone.id}, cut after ${cut}: ${params.finetuneBlocks} block(s) unfrozen (${unfrozen.length} layers with weights; ${frozenBatchNorm.length} BatchNorm layers frozen); tfjs backend ${backend}`);
  const head = await readTrainedHead(context.inputPath('model'));

  const activationOptions = { seed: params.finetuneSeed, batchSize: 16, quiet: context.quiet };
  const cacheStarted = performance.now();
  const train = await cutActivations(lower, ofSplit('train'), context.data, preprocessing, { ...activationOptions, copies: params.finetuneCopies, label: 'train' });
  const validation = await cutActivations(lower, ofSplit('validation'), context.data, preprocessing, { ...activationOptions, copies: 0, label: 'validation' });
  const test = await cutActivations(lower, ofSplit('test'), context.data, preprocessing, { ...activationOptions, copies: 0, label: 'test' });
  const cacheSeconds = (performance.now() - cacheStarted) / 1000;
  if (train.count === 0 || validation.count === 0) throw new DatasetError(`finetune needs train and validation images; found ${train.count} train and ${validation.count} validation activations`);

  const headTensors = () => [tf.tensor2d(head.kernel, [head.featureDim, head.classCount]), tf.tensor1d(head.bias)] as const;
  const [frozenKernel, frozenBias] = headTensors();
  const frozen = score(upper, frozenKernel, frozenBias, test);
  tf.dispose([frozenKernel, frozenBias]);

  // The wasm backend lacks some convolution gradient kernels: composed from ops it has (wasm-gradients.ts).
  if (backend === 'wasm') registerWasmGradients();
  const trainStarted = performance.now();
  const progress = new Progress('finetune: images', train.count * params.finetuneEpochs, { quiet: context.quiet });
  const tuned = fineTune(upper, head, train, validation, {
    epochs: params.finetuneEpochs, batchSize: params.finetuneBatchSize, learningRate: params.finetuneLearningRate,
    backboneLearningRateFactor: params.finetuneBackboneFactor, patience: params.finetunePatience, seed: params.finetuneSeed,
  }, progress);
  progress.finish();
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const [tunedKernel, tunedBias] = [tf.tensor2d(tuned.head.kernel, [head.featureDim, head.classCount]), tf.tensor1d(tuned.head.bias)];
  const fineTuned = score(upper, tunedKernel, tunedBias, test);
  tf.dispose([tunedKernel, tunedBias]);

  const details = { backend, backbone, preprocessing, labels, cut, unfrozenLayers: unfrozen, frozenBatchNorm: frozenBatchNorm.length };
  const classifier = classifierModel(network, backbone.layer, tuned.head);
  await saveLayersModel(classifier, dirname(context.outputPath('model')), { labels, backbone, preprocessing, finetune: { cut, blocks: params.finetuneBlocks, bestEpoch: tuned.bestEpoch } });
  await writeParquetFile(context.outputPath('metrics'), metricsTable(tuned.curve, context.artifactMetadata('metrics', details)));
  const report = {
    backbone: backbone.id, cut, blocks: params.finetuneBlocks, unfrozenLayers: unfrozen,
    testImages: test.count, frozenTestAccuracy: frozen.accuracy, fineTunedTestAccuracy: fineTuned.accuracy,
    trainImages: train.count, augmentedCopies: params.finetuneCopies, epochs: tuned.curve.length, bestEpoch: tuned.bestEpoch,
    seconds: { activations: Number(cacheSeconds.toFixed(1)), training: Number(trainSeconds.toFixed(1)), total: Number(((performance.now() - started) / 1000).toFixed(1)) },
  };
  await writeFileAtomic(context.outputPath('report'), stableStringify(report, 2) + '\n');
  network.dispose();
  const headline = `Fine-tuned test accuracy = ${(100 * fineTuned.accuracy).toFixed(1)}% (frozen ${(100 * frozen.accuracy).toFixed(1)}%, N=${test.count}; ${params.finetuneBlocks} block(s) of ${backbone.id} unfrozen)`;
  return { summary: { frozenTestAccuracy: frozen.accuracy, fineTunedTestAccuracy: fineTuned.accuracy, testImages: test.count, bestEpoch: tuned.bestEpoch, epochs: tuned.curve.length, seconds: report.seconds, headline }, details };
};
