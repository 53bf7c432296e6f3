import { SeededRandom } from '@graft/core';
import type { HeadShape } from './head-network.js';
import { parameterLayout } from './head-network.js';
import type { DenseWeights, TrainedHead } from './head.js';

/** Truncated normal (|z| < 2) × stddev, as retrain.py initialises its final layer. */
function truncatedNormal(random: SeededRandom, target: Float64Array, from: number, count: number, stddev: number): void {
  for (let i = 0; i < count; i++) {
    let z: number;
    do z = random.normal();
    while (Math.abs(z) >= 2);
    target[from + i] = z * stddev;
  }
}

/**
 * Starting parameters for mini-batch training (and for L-BFGS with a hidden layer): retrain.py's
 * truncated normal × 0.001 for a softmax layer on the features; He-scaled for a hidden layer, and
 * Glorot-scaled for the softmax layer after it; zero biases. Draws from `random`.
 */
export function initialParameters(shape: HeadShape, random: SeededRandom): Float64Array {
  const layout = parameterLayout(shape);
  const theta = new Float64Array(layout.size);
  const { featureDim, hiddenUnits, classCount } = shape;
  if (hiddenUnits === 0) {
    truncatedNormal(random, theta, 0, layout.firstBias, 0.001);
  } else {
    truncatedNormal(random, theta, 0, layout.firstBias, Math.sqrt(2 / featureDim));
    truncatedNormal(random, theta, layout.outputKernel, classCount * hiddenUnits, Math.sqrt(2 / (hiddenUnits + classCount)));
  }
  return theta;
}

/** Dense layer weights (inputDim × units kernel) from a units × inputs block of the parameters. */
function denseFrom(theta: Float64Array, kernelAt: number, biasAt: number, inputDim: number, units: number): DenseWeights {
  const kernel = new Float32Array(inputDim * units);
  for (let u = 0; u < units; u++) for (let d = 0; d < inputDim; d++) kernel[d * units + u] = theta[kernelAt + u * inputDim + d]!;
  return { kernel, bias: Float32Array.from(theta.subarray(biasAt, biasAt + units)), inputDim, units };
}

/** The head the parameters describe (on the inputs they were trained on). */
export function headFromParameters(theta: Float64Array, shape: HeadShape): TrainedHead {
  const layout = parameterLayout(shape);
  const { featureDim, hiddenUnits, classCount, activation } = shape;
  if (hiddenUnits === 0) return { featureDim, classCount, hidden: null, output: denseFrom(theta, 0, layout.firstBias, featureDim, classCount) };
  return {
    featureDim,
    classCount,
    hidden: { ...denseFrom(theta, 0, layout.firstBias, featureDim, hiddenUnits), activation },
    output: denseFrom(theta, layout.outputKernel, layout.outputBias, hiddenUnits, classCount),
  };
}
