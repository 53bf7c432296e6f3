import { SeededRandom, type Progress } from '@graft/core';
import { tf } from '@graft/tf';
import type { CutActivations } from './activations.js';
import type { EpochCheckpoint, SavedTensor } from './checkpoint.js';

export interface FineTuneOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Learning rate of the head (Adam). */
  readonly learningRate: number;
  /** The unfrozen backbone layers learn at learningRate × this (discriminative learning rates). */
  readonly backboneLearningRateFactor: number;
  /** Stop after this many epochs without a lower validation loss; the best epoch's weights are kept. */
  readonly patience: number;
  readonly seed: number;
}

export interface EpochPoint {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validationLoss: number;
  readonly validationAccuracy: number;
}

/** Mean cross-entropy of class probabilities (the head ends in softmax). */
function crossEntropy(labels: tf.Tensor2D, probabilities: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(tf.clipByValue(probabilities, 1e-7, 1))), 1))) as tf.Scalar;
}

/** Class probabilities of the upper part + head, BatchNorm and dropout in inference mode. */
function probabilitiesOf(upper: tf.LayersModel, head: tf.LayersModel, x: tf.Tensor): tf.Tensor2D {
  return head.apply(upper.apply(x, { training: false }), { training: false }) as tf.Tensor2D;
}

/** Loss, accuracy and predictions of the upper part + head over a set of activations, in batches. */
export function score(upper: tf.LayersModel, head: tf.LayersModel, set: CutActivations, batchSize = 32): { loss: number; accuracy: number; predicted: Int32Array } {
  const perImage = set.shape.reduce((a, b) => a * b, 1);
  const classCount = (head.outputs[0] as tf.SymbolicTensor).shape[1] as number;
  let loss = 0;
  const predicted = new Int32Array(set.count);
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const [batchLoss, batchPredicted] = tf.tidy(() => {
      const x = tf.tensor(set.values.subarray(start * perImage, (start + n) * perImage), [n, ...set.shape]);
      const probabilities = probabilitiesOf(upper, head, x);
      const y = tf.oneHot(tf.tensor1d(set.labels.subarray(start, start + n), 'int32'), classCount) as tf.Tensor2D;
      return [crossEntropy(y, probabilities).dataSync()[0]! * n, tf.argMax(probabilities, 1).dataSync() as Int32Array] as const;
    });
    loss += batchLoss;
    predicted.set(batchPredicted, start);
  }
  let correct = 0;
  for (let i = 0; i < set.count; i++) if (predicted[i] === set.labels[i]) correct++;
  return { loss: loss / Math.max(1, set.count), accuracy: correct / Math.max(1, set.count), predicted };
}

/** Where training stands after an epoch: what a checkpoint holds besides the tensors. */
export interface TrainingState {
  readonly epoch: number;
  readonly curve: EpochPoint[];
  readonly bestLoss: number;
  readonly bestEpoch: number;
  readonly waited: number;
}

/** The optimizer's slots (Adam's moments and step count), read and set as plain arrays. */
type Adam = tf.AdamOptimizer;
/** Adam's running β^(t+1) products (private in tfjs). */
const betaProducts = (optimizer: Adam) => optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };

async function optimizerTensors(prefix: string, optimizer: Adam): Promise<[string, SavedTensor][]> {
  const weights = await optimizer.getWeights();
  // accBeta1/2 = β^(t+1) are kept by multiplication; setWeights would recompute them with pow,
  // which can differ in the last bit: saved as they are, so a resumed run is bit-identical.
  const named = [...weights.map((w, i) => [`${prefix}/${String(i).padStart(4, '0')}:${w.name}`, w.tensor] as const), [`${prefix}/accBeta1`, betaProducts(optimizer).accBeta1] as const, [`${prefix}/accBeta2`, betaProducts(optimizer).accBeta2] as const];
  return named.map(([name, tensor]) => [name, { shape: tensor.shape, values: Float32Array.from(tensor.dataSync() as Float32Array) }]);
}

async function restoreOptimizer(prefix: string, optimizer: Adam, tensors: ReadonlyMap<string, SavedTensor>): Promise<void> {
  const slots = [...tensors.entries()].filter(([name]) => name.startsWith(`${prefix}/`) && name.includes(':')).sort(([a], [b]) => a.localeCompare(b));
  await optimizer.setWeights(slots.map(([name, t]) => ({ name: name.slice(name.indexOf(':') + 1), tensor: tf.tensor(t.values, t.shape) })));
  for (const key of ['accBeta1', 'accBeta2'] as const) betaProducts(optimizer)[key].assign(tf.tensor(tensors.get(`${prefix}/${key}`)!.values, []));
}

/** The batch order of an epoch: from (seed, epoch) alone, so a resumed run draws the same. */
function epochOrder(seed: number, epoch: number, count: number): number[] {
  return new SeededRandom((seed ^ Math.imul(epoch, 0x9e3779b1)) >>> 0).shuffle(Array.from({ length: count }, (_, i) => i));
}

/**
 * Fine-tune the unfrozen upper part and the trained head together on cached cut activations: Adam
 * with a lower learning rate for the backbone layers than for the head, BatchNorm frozen (replaced
 * by its affine map in `upper`), early stopping on the validation loss with the best epoch's
 * weights restored (epoch 0 = the starting point, kept if no epoch beats it). Trains the layers'
 * own variables: the backbone and head models hold the result. With a checkpoint, the state is
 * saved after every epoch and an interrupted run continues after its last finished epoch, with the
 * same result as an uninterrupted one.
 */
export async function fineTune(upper: tf.LayersModel, head: tf.LayersModel, train: CutActivations, validation: CutActivations, options: FineTuneOptions, hooks: { progress?: Progress; onEpoch?: (point: EpochPoint, best: boolean) => void; checkpoint?: EpochCheckpoint<TrainingState>; log?: (message: string) => void } = {}): Promise<{ curve: EpochPoint[]; bestEpoch: number }> {
  const variablesOf = (model: tf.LayersModel) => model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const backbone = variablesOf(upper);
  const headVariables = variablesOf(head);
  const all = [...backbone, ...headVariables];
  const backboneOptimizer = tf.train.adam(options.learningRate * options.backboneLearningRateFactor);
  const headOptimizer = tf.train.adam(options.learningRate);
  const classCount = (head.outputs[0] as tf.SymbolicTensor).shape[1] as number;
  const perImage = train.shape.reduce((a, b) => a * b, 1);
  const batchValues = new Float32Array(options.batchSize * perImage);
  const batchLabels = new Int32Array(options.batchSize);
  const snapshot = () => all.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  const restore = (weights: readonly Float32Array[]) => tf.tidy(() => all.forEach((v, i) => v.assign(tf.tensor(weights[i]!, v.shape))));
  const key = (kind: string, i: number) => `${kind}/${String(i).padStart(4, '0')}`;

  let state: TrainingState;
  let bestWeights: Float32Array[];
  const saved = await hooks.checkpoint?.load();
  if (saved && saved.tensors.size > 0) {
    state = saved.state;
    restore(all.map((_, i) => saved.tensors.get(key('weights', i))!.values));
    bestWeights = all.map((_, i) => saved.tensors.get(key('best', i))!.values);
    if (backbone.length > 0 && options.backboneLearningRateFactor > 0) await restoreOptimizer('optimizer-backbone', backboneOptimizer, saved.tensors);
    await restoreOptimizer('optimizer-head', headOptimizer, saved.tensors);
    hooks.log?.(`finetune: resuming after epoch ${state.epoch} (checkpoint in ${hooks.checkpoint!.directory})`);
    hooks.progress?.tick(state.epoch * train.count);
  } else {
    const initial = score(upper, head, validation);
    state = { epoch: 0, curve: [{ epoch: 0, trainLoss: score(upper, head, train).loss, validationLoss: initial.loss, validationAccuracy: initial.accuracy }], bestLoss: initial.loss, bestEpoch: 0, waited: 0 };
    bestWeights = snapshot();
  }
  try {
    while (state.epoch < options.epochs && (state.epoch === 0 || state.waited < options.patience)) {
      const epoch = state.epoch + 1;
      const order = epochOrder(options.seed, epoch, train.count);
      let trainLoss = 0;
      for (let start = 0; start < order.length; start += options.batchSize) {
        const rows = order.slice(start, start + options.batchSize);
        rows.forEach((row, i) => {
          batchValues.set(train.values.subarray(row * perImage, (row + 1) * perImage), i * perImage);
          batchLabels[i] = train.labels[row]!;
        });
        const x = tf.tensor(batchValues.subarray(0, rows.length * perImage), [rows.length, ...train.shape]);
        const y = tf.oneHot(tf.tensor1d(batchLabels.subarray(0, rows.length), 'int32'), classCount) as tf.Tensor2D;
        const { value, grads } = tf.variableGrads(() => crossEntropy(y, probabilitiesOf(upper, head, x)), all);
        trainLoss += value.dataSync()[0]! * rows.length;
        if (backbone.length > 0 && options.backboneLearningRateFactor > 0) backboneOptimizer.applyGradients(backbone.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
        headOptimizer.applyGradients(headVariables.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
        tf.dispose([x, y, value, ...Object.values(grads)]);
        hooks.progress?.tick(rows.length);
      }
      const validated = score(upper, head, validation);
      const point = { epoch, trainLoss: trainLoss / train.count, validationLoss: validated.loss, validationAccuracy: validated.accuracy };
      const better = validated.loss < state.bestLoss;
      hooks.onEpoch?.(point, better);
      if (better) bestWeights = snapshot();
      state = { epoch, curve: [...state.curve, point], bestLoss: better ? validated.loss : state.bestLoss, bestEpoch: better ? epoch : state.bestEpoch, waited: better ? 0 : state.waited + 1 };
      if (hooks.checkpoint) {
        const current = snapshot();
        const tensors = new Map<string, SavedTensor>([
          ...all.map((v, i) => [key('weights', i), { shape: v.shape, values: current[i]! }] as [string, SavedTensor]),
          ...all.map((v, i) => [key('best', i), { shape: v.shape, values: bestWeights[i]! }] as [string, SavedTensor]),
          ...(backbone.length > 0 && options.backboneLearningRateFactor > 0 ? await optimizerTensors('optimizer-backbone', backboneOptimizer) : []),
          ...(await optimizerTensors('optimizer-head', headOptimizer)),
        ]);
        await hooks.checkpoint.save({ state, tensors });
      }
    }
    restore(bestWeights);
    return { curve: state.curve, bestEpoch: state.bestEpoch };
  } finally {
    backboneOptimizer.dispose();
    headOptimizer.dispose();
  }
}
