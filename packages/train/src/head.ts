import type { HIDDEN_ACTIVATIONS } from './spec.js';

export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];

/** Weights of one dense layer: output = input · kernel + bias. */
export interface DenseWeights {
  /** inputDim × units, row-major. */
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly inputDim: number;
  readonly units: number;
}

/** A trained head: features → [hidden dense layer →] softmax layer → class probabilities. */
export interface TrainedHead {
  readonly featureDim: number;
  readonly classCount: number;
  readonly hidden: (DenseWeights & { readonly activation: HiddenActivation }) | null;
  /** The softmax layer (its input is the hidden layer's output when there is one). */
  readonly output: DenseWeights;
}
