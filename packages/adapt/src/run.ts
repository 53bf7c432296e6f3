import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DatasetError, ParamError, Progress, SeededRandom, choiceMessage, writeParquetFile, type StageFunction } from '@graft/core';
import { readBottlenecks } from '@graft/extract/tables';
import { classLabels, readClasses } from '@graft/split/tables';
import { useTfjsBackend } from '@graft/tf';
import { coralDistance, mmdTest, proxyADistance, sample, subsample } from '@graft/similarity';
import { adaptStage } from './spec.js';
import { domainData, inputScaling, sourceScaling, type DomainData } from './domain-data.js';
import { argmax, labelFreeDiagnostics } from './diagnostics.js';
import { FALLBACK_BASELINE, recommend } from './recommendation.js';
import { loadTrainHead, TRAIN_HEAD } from './train-head.js';
import { adaptedHead, saveAdaptedHead } from './adapted-head.js';
import { ADAPT_METHOD_NAMES, type AdaptMethod } from './methods.js';
import { makeSelectionScore, type SelectionMethod } from './selection.js';
import { trainMethod, type AdaptCurvePoint, type TrainedMethod } from './train-method.js';
import { curvesTable, methodsTable, predictionsTable, type MethodResult } from './tables.js';
import type { AdaptationNetwork } from './network.js';

/** `--adapt-methods a,b`: known names, no repeats, in the given order. */
export function parseMethods(value: string): AdaptMethod[] {
  const names = [...new Set(value.split(',').map((name) => name.trim()).filter(Boolean))];
  if (names.length === 0) throw new ParamError('adapt --adapt-methods must name at least one method');
  for (const name of names) if (!(ADAPT_METHOD_NAMES as string[]).includes(name)) throw new ParamError(`adapt --adapt-methods: ${choiceMessage('method', name, ADAPT_METHOD_NAMES)}`);
  return names as AdaptMethod[];
}

/** `--adapt-tradeoffs 0.1,1`: positive numbers. */
export function parseTradeoffs(value: string): number[] {
  const values = value.split(',').map((text) => text.trim()).filter(Boolean).map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0)) throw new ParamError(`adapt --adapt-tradeoffs must be comma-separated positive numbers, got ${JSON.stringify(value)}`);
  return [...new Set(values)];
}

/** Distances between source-train and target rows on a model's aligned layer (≤ 500 images each). */
export interface AlignedDistances {
  /** Multi-kernel Gaussian MMD² (median heuristic): what DDC / DAN minimise. */
  readonly mmd: number;
  /** CORAL distance: what Deep CORAL minimises. */
  readonly coral: number;
  /** Proxy A-distance: what the DANN / CDAN discriminator plays against. */
  readonly proxyA: number;
}

export function alignedDistances(network: AdaptationNetwork, data: DomainData, seed: number): AlignedDistances {
  const random = new SeededRandom(seed);
  const source = network.infer(data.sourceTrain.features, data.sourceTrain.count);
  const target = network.infer(data.target.features, data.target.count);
  const s = subsample(sample(source.aligned, source.alignedDim), 500, random);
  const t = subsample(sample(target.aligned, target.alignedDim), 500, random);
  return { mmd: mmdTest(s, t, { kernel: 'gaussian', permutations: 0, seed }).mmd2, coral: coralDistance(s, t), proxyA: s.count >= 4 && t.count >= 4 ? proxyADistance(s, t, seed).distance : NaN };
}

/** `--adapt-methods`, with source-only (the recommendation's fallback baseline) first when it is not listed. */
export function methodsWithBaseline(methods: readonly AdaptMethod[]): AdaptMethod[] {
  return methods.includes(FALLBACK_BASELINE) ? [...methods] : [FALLBACK_BASELINE, ...methods];
}

/** The adapt stage: every method trained on labelled source and unlabelled target features, selected without target labels; one model recommended. */
export const runAdapt: StageFunction<typeof adaptStage> = async (context) => {
  const { params } = context;
  const methods = methodsWithBaseline(parseMethods(params.adaptMethods));
  const tradeoffs = parseTradeoffs(params.adaptTradeoffs);
  const selection = params.adaptSelection as SelectionMethod;
  const bottlenecks = await readBottlenecks(context.inputPath('bottlenecks'));
  const labels = classLabels(await readClasses(context.inputPath('classes')));
  const data = domainData(bottlenecks, labels.length);
  if (data.target.count < 2) throw new DatasetError(`adapt needs at least 2 target-domain adaptation images (split train); found ${data.target.count}: run graft split with --target <folder>, or lower --target-test-percent`);
  if (data.sourceTrain.count === 0) throw new DatasetError('adapt: the source train split is empty');
  if (data.sourceValidation.count === 0) throw new DatasetError('adapt selects checkpoints on the source validation split, which is empty: raise split --validation-percent');
  const backend = await useTfjsBackend();
  const options = {
    steps: params.adaptSteps, batchSize: params.adaptBatchSize, learningRate: params.adaptLearningRate, adaptationUnits: params.adaptLayer,
    discriminatorUnits: params.adaptDiscriminatorUnits, discriminatorLearningRate: params.adaptDiscriminatorLearningRate,
    weightDecay: params.adaptWeightDecay, dropout: params.adaptDropout, evalEvery: params.adaptEvalEvery, seed: params.adaptSeed,
  };
  context.log(`adapt: ${data.sourceTrain.count} source train / ${data.sourceValidation.count} validation images, ${data.target.count} unlabelled target images, methods ${methods.join(', ')}; selection: ${selection}; tfjs backend ${backend}`);
  const scaling = inputScaling(data.sourceTrain, data.dimension);
  const score = makeSelectionScore(selection, data, scaling, params.adaptSeed);
  const reverseValidation = makeSelectionScore('reverse-validation', data, scaling, params.adaptSeed);
  const runs = methods.reduce((n, method) => n + (method === 'source-only' ? 1 : tradeoffs.length), 0);
  const progress = new Progress('adapt: steps', runs * options.steps, { quiet: context.quiet });

  const rowCount = bottlenecks.rows.length;
  const classCount = labels.length;
  const results: MethodResult[] = [];
  const weights = new Map<string, Float32Array[]>();
  const curves: { method: string; tradeoff: number | null; points: AdaptCurvePoint[] }[] = [];
  const predicted = new Int32Array(methods.length * rowCount);
  const confidence = new Float32Array(methods.length * rowCount);
  const probabilities = new Float32Array(methods.length * rowCount * classCount);
  for (const [m, method] of methods.entries()) {
    const started = performance.now();
    let best: { trained: TrainedMethod; tradeoff: number | null } | undefined;
    for (const tradeoff of method === 'source-only' ? [null] : tradeoffs) {
      const trained = trainMethod(method, tradeoff ?? 0, data, options, score, progress);
      curves.push({ method, tradeoff, points: trained.curve });
      if (!best || trained.selectionScore > best.trained.selectionScore) {
        best?.trained.network.dispose();
        best = { trained, tradeoff };
      } else trained.network.dispose();
    }
    const { network } = best!.trained;
    const inferred = network.infer(bottlenecks.features, rowCount);
    probabilities.set(inferred.probabilities, m * rowCount * classCount);
    for (let r = 0; r < rowCount; r++) {
      const top = argmax(inferred.probabilities, r * classCount, classCount);
      predicted[m * rowCount + r] = top;
      confidence[m * rowCount + r] = inferred.probabilities[r * classCount + top]!;
    }
    weights.set(method, network.snapshot());
    results.push({
      method, selection, tradeoff: best!.tradeoff, step: best!.trained.selectedStep, selectionScore: best!.trained.selectionScore,
      diagnostics: labelFreeDiagnostics(network, data, reverseValidation), featureDistances: alignedDistances(network, data, params.adaptSeed),
      recommended: false, verdict: '', seconds: (performance.now() - started) / 1000,
    });
    network.dispose();
  }
  progress.finish();
  const trainHead = await loadTrainHead(context.inputPath('head'), data.dimension, classCount);
  if (trainHead) {
    const nothing = { mmd: NaN, coral: NaN, proxyA: NaN };
    results.unshift({ method: TRAIN_HEAD, selection: 'none: train stage', tradeoff: null, step: 0, selectionScore: NaN, diagnostics: labelFreeDiagnostics(trainHead, data, reverseValidation), featureDistances: nothing, recommended: false, verdict: '', seconds: 0 });
    trainHead.dispose();
  } else context.log(`adapt: no train head for these features (run graft train first): ${FALLBACK_BASELINE} is the recommendation's baseline`);
  const recommendation = recommend(results.map((r) => ({ method: r.method, diagnostics: r.diagnostics })))!;
  const verdicts = new Map(recommendation.verdicts.map((v) => [v.method, v]));
  const decided = results.map((r) => ({ ...r, recommended: r.method === recommendation.method, verdict: verdicts.get(r.method)!.reason }));
  for (const r of decided) {
    const d = r.diagnostics;
    context.log(
      `adapt: ${r.method.padEnd(11)} step ${r.step}${r.tradeoff !== null ? `, λ ${r.tradeoff}` : ''}: source validation ${(100 * d.sourceValidationAccuracy).toFixed(1)}%, reverse validation ${(100 * d.reverseValidationAccuracy).toFixed(1)}%, ` +
        `target class balance ${d.targetClassBalance.toFixed(2)}, confidence ${d.targetConfidence.toFixed(2)}; aligned layer: MMD² ${r.featureDistances.mmd.toFixed(4)}, CORAL ${r.featureDistances.coral.toExponential(2)}, proxy A ${r.featureDistances.proxyA.toFixed(2)} (${r.seconds.toFixed(1)}s) — ${r.recommended ? 'RECOMMENDED' : r.verdict}`,
    );
  }
  const chosen = decided.find((r) => r.recommended)!;
  context.log(`adapt: recommended ${chosen.method} (${chosen.verdict}); rule: ${recommendation.rule}`);

  const details = { backend, backbone: bottlenecks.provenance.backbone, labels, selection, recommended: chosen.method, recommendationRule: recommendation.rule };
  const methodColumn = methods.flatMap((method) => Array<string>(rowCount).fill(method));
  const allRows = methods.flatMap(() => bottlenecks.rows);
  await writeParquetFile(context.outputPath('predictions'), predictionsTable(methodColumn, allRows, predicted, confidence, probabilities, classCount, context.artifactMetadata('predictions', details)));
  await writeParquetFile(context.outputPath('methods'), methodsTable(decided, context.artifactMetadata('methods', details)));
  await writeParquetFile(context.outputPath('curves'), curvesTable(curves, context.artifactMetadata('curves', details)));
  // The recommended adapt model, for export; none when train's head is recommended (export deploys it as without --target).
  await rm(dirname(context.outputPath('model')), { recursive: true, force: true });
  if (chosen.method !== TRAIN_HEAD) {
    const head = adaptedHead(weights.get(chosen.method)!, { inputDim: data.dimension, adaptationUnits: options.adaptationUnits, classCount }, sourceScaling(data.sourceTrain, data.dimension));
    await saveAdaptedHead(context.outputPath('model'), head, bottlenecks, labels, { method: chosen.method, tradeoff: chosen.tradeoff, step: chosen.step, rule: recommendation.rule });
  }
  return {
    summary: {
      selection, recommended: chosen.method, recommendationRule: recommendation.rule,
      methods: decided.map((r) => ({ method: r.method, tradeoff: r.tradeoff, step: r.step, ...r.diagnostics, alignedDistances: r.featureDistances, recommended: r.recommended, verdict: r.verdict })),
      sourceImages: data.sourceTrain.count, targetImages: data.target.count, backend,
    },
    details,
  };
};
