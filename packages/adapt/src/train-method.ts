import { SeededRandom, type Progress } from '@graft/core';
import { tf } from '@graft/tf';
import type { DomainData } from './domain-data.js';
import { inputScaling } from './domain-data.js';
import { AdaptationNetwork } from './network.js';
import { coralLoss, dannRamp, entropyLoss, gradientReversal, mmdLoss } from './losses.js';
import { usesDiscriminator, type AdaptMethod } from './methods.js';

export interface AdaptTrainingOptions {
  readonly steps: number;
  /** Source images and target images per step (each). */
  readonly batchSize: number;
  readonly learningRate: number;
  readonly adaptationUnits: number;
  readonly discriminatorUnits: number;
  /** The discriminator's learning rate as a multiple of the classifier's (DANN, CDAN). */
  readonly discriminatorLearningRate: number;
  /** L2 penalty (weight_decay / 2)·‖W‖² on every kernel. */
  readonly weightDecay: number;
  /** Dropout rate on the adaptation layer's units before the classifier (0 = none). */
  readonly dropout: number;
  readonly evalEvery: number;
  readonly seed: number;
}

/** One recorded point of a training run. */
export interface AdaptCurvePoint {
  readonly step: number;
  readonly classificationLoss: number;
  /** The adaptation loss on the step's batches (0 for source-only; the discriminator's loss for DANN / CDAN). */
  readonly adaptationLoss: number;
  readonly selectionScore: number;
}

export interface TrainedMethod {
  readonly network: AdaptationNetwork;
  /** The checkpoint the selection score liked best (already restored into `network`). */
  readonly selectedStep: number;
  readonly selectionScore: number;
  readonly curve: AdaptCurvePoint[];
}

/**
 * Train one method with one trade-off λ: SGD with momentum 0.9 and DANN's annealing
 * μ_p = μ0 / (1 + 10 p)^0.75; every step a batch of labelled source and one of unlabelled target
 * features; the adaptation loss is weighted by λ · λ_p (for DANN / CDAN, λ · λ_p scales the reversed
 * gradient). Every `evalEvery` steps the checkpoint is scored by `score` (higher is better) and the
 * best one is kept.
 */
export function trainMethod(method: AdaptMethod, tradeoff: number, data: DomainData, options: AdaptTrainingOptions, score: (network: AdaptationNetwork) => number, progress?: Progress): TrainedMethod {
  const { dimension, classCount, sourceTrain, target } = data;
  const random = new SeededRandom(options.seed);
  const network = new AdaptationNetwork(
    {
      inputDim: dimension, adaptationUnits: options.adaptationUnits, classCount,
      discriminatorUnits: usesDiscriminator(method) ? options.discriminatorUnits : 0,
      discriminatorInput: method === 'cdan' ? 'conditional' : 'representation',
    },
    inputScaling(sourceTrain, dimension),
    options.seed,
  );
  const optimizer = tf.train.momentum(options.learningRate, 0.9);
  const variables = [...network.classifierVariables, ...network.discriminatorVariables];
  const batch = options.batchSize;
  // Batches are assembled in JS into reused buffers (faster than tf.gather on wasm): source rows, then target rows.
  const inputs = new Float32Array(2 * batch * dimension);
  const oneHot = new Float32Array(batch * classCount);
  const domainLabels = tf.tensor2d(Float32Array.from({ length: 2 * batch }, (_, i) => (i < batch ? 1 : 0)), [2 * batch, 1]);
  let weight = 0;
  // The discriminator's loss is scaled by k (its SGD step = k × the classifier's) and the reversal by
  // 1/k, so the features still see λ·λ_p times the discriminator's gradient.
  const k = usesDiscriminator(method) ? options.discriminatorLearningRate : 1;
  const reverse = gradientReversal(() => weight / k);
  const curve: AdaptCurvePoint[] = [];
  let best = { step: 0, score: -Infinity, weights: network.snapshot() };

  const units = options.adaptationUnits;
  const keep = 1 - options.dropout;
  const mask = new Float32Array(2 * batch * Math.max(1, units));
  const losses = (x: tf.Tensor2D, y: tf.Tensor2D, dropoutMask?: tf.Tensor2D): { classification: tf.Scalar; adaptation: tf.Scalar } => {
    const { aligned, logits } = network.forward(x, dropoutMask);
    const sourceLogits = logits.slice([0, 0], [batch, classCount]);
    const classification = tf.losses.softmaxCrossEntropy(y, sourceLogits) as tf.Scalar;
    const sourceAligned = aligned.slice([0, 0], [batch, -1]);
    const targetAligned = aligned.slice([batch, 0], [batch, -1]);
    let adaptation: tf.Scalar;
    switch (method) {
      case 'source-only':
        adaptation = tf.scalar(0);
        break;
      case 'coral':
        adaptation = coralLoss(sourceAligned, targetAligned);
        break;
      case 'mmd':
        adaptation = mmdLoss(sourceAligned, targetAligned);
        break;
      case 'entropy':
        adaptation = entropyLoss(logits.slice([batch, 0], [batch, classCount]));
        break;
      case 'dann':
        adaptation = tf.losses.sigmoidCrossEntropy(domainLabels, network.discriminate(reverse(aligned) as tf.Tensor2D)) as tf.Scalar;
        break;
      case 'cdan': {
        // Multilinear map: outer product of the class probabilities and the aligned layer, per row.
        const probabilities = tf.softmax(logits);
        const outer = tf.reshape(tf.matMul(tf.expandDims(probabilities, 2), tf.expandDims(aligned, 1)), [2 * batch, -1]) as tf.Tensor2D;
        adaptation = tf.losses.sigmoidCrossEntropy(domainLabels, network.discriminate(reverse(outer) as tf.Tensor2D)) as tf.Scalar;
        break;
      }
    }
    return { classification, adaptation };
  };

  try {
    for (let step = 1; step <= options.steps; step++) {
      const progressFraction = (step - 1) / options.steps;
      const ramp = dannRamp(progressFraction);
      weight = tradeoff * ramp;
      optimizer.setLearningRate(options.learningRate / (1 + 10 * progressFraction) ** 0.75);
      oneHot.fill(0);
      for (let i = 0; i < batch; i++) {
        const row = random.int(sourceTrain.count);
        inputs.set(sourceTrain.features.subarray(row * dimension, (row + 1) * dimension), i * dimension);
        oneHot[i * classCount + sourceTrain.labels[row]!] = 1;
      }
      for (let i = 0; i < batch; i++) {
        const row = random.int(target.count);
        inputs.set(target.features.subarray(row * dimension, (row + 1) * dimension), (batch + i) * dimension);
      }
      const x = tf.tensor2d(inputs, [2 * batch, dimension]);
      const y = tf.tensor2d(oneHot, [batch, classCount]);
      let dropoutMask: tf.Tensor2D | undefined;
      if (units > 0 && options.dropout > 0) {
        for (let i = 0; i < mask.length; i++) mask[i] = random.next() < keep ? 1 / keep : 0;
        dropoutMask = tf.tensor2d(mask, [2 * batch, units]);
      }
      const recording = step % options.evalEvery === 0 || step === options.steps;
      let recorded: { classification: number; adaptation: number } | undefined;
      const cost = optimizer.minimize(() => {
        const { classification, adaptation } = losses(x, y, dropoutMask);
        if (recording) recorded = { classification: classification.dataSync()[0]!, adaptation: adaptation.dataSync()[0]! };
        // DANN / CDAN: the discriminator learns at full strength; the reversal layer weighs what the features see.
        const total = tf.add(classification, usesDiscriminator(method) ? tf.mul(k, adaptation) : tf.mul(weight, adaptation));
        return (options.weightDecay > 0 ? tf.add(total, tf.mul(options.weightDecay / 2, network.kernelSquares())) : total) as tf.Scalar;
      }, false, variables);
      tf.dispose([x, y, ...(dropoutMask ? [dropoutMask] : []), ...(cost ? [cost] : [])]);
      if (recording) {
        const selectionScore = score(network);
        curve.push({ step, classificationLoss: recorded!.classification, adaptationLoss: recorded!.adaptation, selectionScore });
        if (selectionScore > best.score) best = { step, score: selectionScore, weights: network.snapshot() };
      }
      progress?.tick();
    }
    network.restore(best.weights);
    return { network, selectedStep: best.step, selectionScore: best.score, curve };
  } catch (error) {
    network.dispose();
    throw error;
  } finally {
    optimizer.dispose();
    // tfjs 4.22: MomentumOptimizer.dispose() leaves its SGD base's learning-rate scalar behind.
    (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    domainLabels.dispose();
  }
}
