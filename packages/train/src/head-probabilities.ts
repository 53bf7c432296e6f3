import { Workspace } from '@graft/linalg';
import type { DenseWeights, TrainedHead } from './head.js';
import { HeadNetwork, parameterLayout, type HeadShape } from './head-network.js';

/** Copy a dense layer (inputDim × units kernel) into the units × inputs block of a parameter vector. */
function putDense(theta: Float64Array, layer: DenseWeights, kernelAt: number, biasAt: number): void {
  for (let u = 0; u < layer.units; u++) for (let d = 0; d < layer.inputDim; d++) theta[kernelAt + u * layer.inputDim + d] = layer.kernel[d * layer.units + u]!;
  theta.set(layer.bias, biasAt);
}

/** A head's layer shapes and its weights as one parameter vector (the layout training uses). */
export function headParameters(head: TrainedHead): { shape: HeadShape; theta: Float64Array } {
  const shape: HeadShape = { featureDim: head.featureDim, hiddenUnits: head.hidden?.units ?? 0, activation: head.hidden?.activation ?? 'relu', classCount: head.classCount };
  const layout = parameterLayout(shape);
  const theta = new Float64Array(layout.size);
  if (head.hidden) {
    putDense(theta, head.hidden, 0, layout.firstBias);
    putDense(theta, head.output, layout.outputKernel, layout.outputBias);
  } else {
    putDense(theta, head.output, 0, layout.firstBias);
  }
  return { shape, theta };
}

/** Class probabilities (rows × classes, row-major) of a head on row-major features, computed with Graft's kernels. */
export function headProbabilities(head: TrainedHead, features: Float32Array): Float32Array {
  const rows = features.length / head.featureDim;
  const workspace = new Workspace();
  const matrix = workspace.matrixOf(features, rows, head.featureDim);
  const { shape, theta } = headParameters(head);
  const network = new HeadNetwork(workspace, matrix, new Int32Array(rows), shape, Math.min(rows, 4096));
  return Float32Array.from(network.probabilities(theta, Int32Array.from({ length: rows }, (_, i) => i)));
}
