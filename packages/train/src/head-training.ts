import { SeededRandom, type ParamValues, type Progress } from '@graft/core';
import { tf } from '@graft/tf';
import type { LabelledFeatures } from './features.js';
import type { trainStage } from './spec.js';
import type { DenseWeights, HiddenActivation, TrainedHead } from './head.js';
import { classWeights, makeBatchSampler } from './batch-sampler.js';
import { learningRateAt, makeOptimizer, setLearningRate } from './learning-rate.js';

/** Everything that shapes one training run: the train params (but the sweep) and the class count. */
export type TrainingOptions = Omit<ParamValues<typeof trainStage>, 'sweep'> & { readonly classCount: number };

/** One point of the training curve. */
export interface CurvePoint {
  readonly step: number;
  /** Learning rate used by this step. */
  readonly learningRate: number;
  /** Training objective on this step's batch (cross-entropy with label smoothing and class weights, plus the L2 penalty). */
  readonly loss: number;
  readonly trainAccuracy: number;
  /** Plain cross-entropy on the validation split. */
  readonly validationLoss: number | null;
  readonly validationAccuracy: number | null;
}

export interface TrainingResult {
  readonly head: TrainedHead;
  readonly curve: CurvePoint[];
  /** The curve point whose weights the head holds (the last one, or the best one with early stopping). */
  readonly kept: CurvePoint;
  /** Steps actually run (fewer than `steps` when early stopping ended the run). */
  readonly stepsRun: number;
}

/** Truncated normal (|z| < 2) × stddev, as retrain.py initialises its final layer. */
function truncatedNormal(random: SeededRandom, count: number, stddev: number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let z: number;
    do z = random.normal();
    while (Math.abs(z) >= 2);
    values[i] = z * stddev;
  }
  return values;
}

const ACTIVATIONS: Record<HiddenActivation, (x: tf.Tensor) => tf.Tensor> = { relu: tf.relu, elu: tf.elu, tanh: tf.tanh, sigmoid: tf.sigmoid };

interface DenseVariables {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

function denseVariables(kernel: Float32Array, inputDim: number, units: number, name: string): DenseVariables {
  return { kernel: tf.variable(tf.tensor2d(kernel, [inputDim, units]), true, `${name}_kernel`), bias: tf.variable(tf.zeros([units]), true, `${name}_bias`) };
}

/** Loss and accuracy of logits against integer labels. */
function lossAndAccuracy(logits: tf.Tensor2D, labels: tf.Tensor1D, classCount: number): [number, number] {
  return tf.tidy(() => {
    const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classCount), logits);
    const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
    return [loss.dataSync()[0]!, accuracy.dataSync()[0]!];
  });
}

/** x · w whose gradient for w is the given xT · dy (x is data: its own gradient is never used). */
export function matMulGivenTranspose(xT: tf.Tensor2D): (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D {
  return tf.customGrad((x, w) => ({
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy) => [tf.zerosLike(x as tf.Tensor), tf.matMul(xT, dy as tf.Tensor2D)],
  })) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;
}

const orNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

/**
 * Train a head with a custom loop (batches assembled in JS into reused buffers: much faster than
 * tf.gather or model.fit on the wasm backend). Seeded: initialisation and batch sampling draw from
 * one stream (as before the hidden layer existed), dropout masks from another. Records the curve
 * every `evalEvery` steps and at the end; with `earlyStoppingPatience` it stops once validation
 * loss has not improved for that many records and returns the best weights.
 */
export async function trainHead(train: LabelledFeatures, validation: LabelledFeatures, options: TrainingOptions, progress?: Progress): Promise<TrainingResult> {
  const { classCount, batchSize } = options;
  const dimension = train.dimension;
  const random = new SeededRandom(options.seed);
  const dropoutRandom = new SeededRandom(options.seed ^ 0x5bd1e995);
  const hiddenUnits = options.hiddenUnits;
  const activation = options.hiddenActivation as HiddenActivation;
  const hidden = hiddenUnits > 0 ? denseVariables(truncatedNormal(random, dimension * hiddenUnits, Math.sqrt(2 / dimension)), dimension, hiddenUnits, 'hidden') : undefined;
  const outputInput = hidden ? hiddenUnits : dimension;
  // retrain.py: stddev 0.001 on the features; after a hidden layer, Glorot-scaled so gradients reach it.
  const output = denseVariables(truncatedNormal(random, outputInput * classCount, hidden ? Math.sqrt(2 / (outputInput + classCount)) : 0.001), outputInput, classCount, 'final');
  const variables = [...(hidden ? [hidden.kernel, hidden.bias] : []), output.kernel, output.bias];
  const validationX = validation.count ? tf.tensor2d(validation.features, [validation.count, dimension]) : undefined;
  const validationY = validation.count ? tf.tensor1d(validation.labels, 'int32') : undefined;
  let learningRate = learningRateAt(1, options);
  const optimizer = makeOptimizer(options.optimizer, learningRate, options.momentum);
  const sample = makeBatchSampler(train.labels, classCount, options.sampling, random);
  const weightOfClass = classWeights(train.labels, classCount, options.classWeights);
  const weighted = options.classWeights !== 'none';

  /**
   * Logits; `mask` (dropout, already scaled by 1 / (1 − rate)) multiplies the softmax layer's input.
   * With `xT` (x transposed, built in JS) the hidden kernel's gradient is xT · dy: on the wasm
   * backend a matMul with transposeA — tfjs's own gradient — is ~10× slower than this.
   */
  const logitsOf = (x: tf.Tensor2D, mask?: tf.Tensor2D, xT?: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      let h: tf.Tensor2D = x;
      if (hidden) {
        const product = xT ? matMulGivenTranspose(xT)(x, hidden.kernel as tf.Tensor2D) : tf.matMul(x, hidden.kernel);
        h = ACTIVATIONS[activation](tf.add(product, hidden.bias)) as tf.Tensor2D;
      }
      if (mask) h = tf.mul(h, mask);
      return tf.add(tf.matMul(h, output.kernel), output.bias) as tf.Tensor2D;
    });
  const kernels = hidden ? [hidden.kernel, output.kernel] : [output.kernel];

  const batchFeatures = new Float32Array(batchSize * dimension);
  const batchFeaturesT = hidden ? new Float32Array(dimension * batchSize) : undefined;
  const batchOneHot = new Float32Array(batchSize * classCount);
  const batchLabels = new Int32Array(batchSize);
  const batchWeights = new Float32Array(batchSize);
  const mask = options.dropout > 0 ? new Float32Array(batchSize * outputInput) : undefined;
  const keep = 1 / (1 - options.dropout);
  const curve: CurvePoint[] = [];
  let best: { point: CurvePoint; weights: Float32Array[] } | undefined;
  let recordsSinceBest = 0;
  let stepsRun = 0;
  try {
    for (let step = 1; step <= options.steps; step++) {
      const stepRate = learningRateAt(step, options);
      if (stepRate !== learningRate) setLearningRate(optimizer, (learningRate = stepRate));
      const recording = step % options.evalEvery === 0 || step === options.steps;
      const indices = sample(batchSize);
      batchOneHot.fill(0);
      indices.forEach((row, i) => {
        const label = train.labels[row]!;
        batchFeatures.set(train.features.subarray(row * dimension, (row + 1) * dimension), i * dimension);
        batchLabels[i] = label;
        batchOneHot[i * classCount + label] = 1;
        batchWeights[i] = weightOfClass[label]!;
      });
      if (batchFeaturesT) for (let i = 0; i < batchSize; i++) for (let d = 0; d < dimension; d++) batchFeaturesT[d * batchSize + i] = batchFeatures[i * dimension + d]!;
      if (mask) for (let i = 0; i < mask.length; i++) mask[i] = dropoutRandom.next() < options.dropout ? 0 : keep;
      const batchX = tf.tensor2d(batchFeatures, [batchSize, dimension]);
      const batchXT = batchFeaturesT ? tf.tensor2d(batchFeaturesT, [dimension, batchSize]) : undefined;
      const batchTarget = tf.tensor2d(batchOneHot, [batchSize, classCount]);
      const exampleWeights = weighted ? tf.tensor1d(batchWeights) : undefined;
      const maskTensor = mask ? tf.tensor2d(mask, [batchSize, outputInput]) : undefined;
      const cost = optimizer.minimize(
        () => {
          let loss = tf.losses.softmaxCrossEntropy(batchTarget, logitsOf(batchX, maskTensor, batchXT), exampleWeights, options.labelSmoothing) as tf.Scalar;
          if (options.l2 > 0) loss = tf.add(loss, tf.mul(options.l2, tf.addN(kernels.map((k) => tf.sum(tf.square(k)))))) as tf.Scalar;
          return loss;
        },
        recording,
        variables,
      );
      stepsRun = step;
      let stop = false;
      if (recording) {
        const [, trainAccuracy] = tf.tidy(() => lossAndAccuracy(logitsOf(batchX), tf.tensor1d(batchLabels, 'int32'), classCount));
        const [validationLoss, validationAccuracy] = validationX && validationY ? lossAndAccuracy(logitsOf(validationX), validationY, classCount) : [NaN, NaN];
        const point: CurvePoint = { step, learningRate, loss: cost!.dataSync()[0]!, trainAccuracy: trainAccuracy!, validationLoss: orNull(validationLoss!), validationAccuracy: orNull(validationAccuracy!) };
        curve.push(point);
        if (options.earlyStoppingPatience > 0 && point.validationLoss !== null) {
          if (!best || point.validationLoss < best.point.validationLoss!) {
            best = { point, weights: variables.map((v) => Float32Array.from(v.dataSync() as Float32Array)) };
            recordsSinceBest = 0;
          } else {
            stop = ++recordsSinceBest >= options.earlyStoppingPatience;
          }
        }
      }
      tf.dispose([batchX, batchTarget, ...(batchXT ? [batchXT] : []), ...(cost ? [cost] : []), ...(exampleWeights ? [exampleWeights] : []), ...(maskTensor ? [maskTensor] : [])]);
      progress?.tick();
      if (stop) break;
    }
    if (best) best.weights.forEach((values, i) => tf.tidy(() => variables[i]!.assign(tf.tensor(values, variables[i]!.shape))));
    const read = async (layer: DenseVariables, inputDim: number, units: number): Promise<DenseWeights> => ({ kernel: (await layer.kernel.data()) as Float32Array, bias: (await layer.bias.data()) as Float32Array, inputDim, units });
    const head: TrainedHead = {
      featureDim: dimension,
      classCount,
      hidden: hidden ? { ...(await read(hidden, dimension, hiddenUnits)), activation } : null,
      output: await read(output, outputInput, classCount),
    };
    return { head, curve, kept: best?.point ?? curve[curve.length - 1]!, stepsRun };
  } finally {
    tf.dispose([...variables, ...(validationX ? [validationX, validationY!] : [])]);
    optimizer.dispose();
  }
}
