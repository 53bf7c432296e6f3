import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@graft/core';
import { Workspace } from '@graft/linalg';
import { HeadNetwork, parameterLayout, type HeadShape, type LossSettings } from '../src/head-network.js';
import { initialParameters } from '../src/head-parameters.js';
import { blobs } from './fixtures.js';

/** Central differences of the loss against the analytic gradient, on a sample of parameters. */
function checkGradient(shape: HeadShape, loss: LossSettings, mask?: Float32Array) {
  const data = blobs(24, shape.classCount, shape.featureDim, 3);
  const workspace = new Workspace();
  const network = new HeadNetwork(workspace, workspace.matrixOf(data.features, data.count, data.dimension), data.labels, shape, data.count);
  // Standardize through the input map (shift and scale per dimension), as training does.
  const random = new SeededRandom(7);
  network.setInputMap({ shift: Float64Array.from({ length: shape.featureDim }, (_, d) => 3 + d + random.normal() * 0.1), inverseScale: Float64Array.from({ length: shape.featureDim }, (_, d) => 1 / (0.05 * (1 + (d % 5)))) });
  const theta = initialParameters(shape, random);
  for (let i = 0; i < theta.length; i++) theta[i]! += random.normal() * 0.3;
  const rows = Int32Array.from({ length: data.count }, (_, i) => i);
  const gradient = new Float64Array(theta.length);
  network.evaluate(theta, rows, loss, gradient, mask);
  const step = 1e-3;
  const sample = Array.from({ length: 40 }, () => random.int(theta.length));
  for (const i of [...sample, theta.length - 1, parameterLayout(shape).firstBias]) {
    const saved = theta[i]!;
    theta[i] = saved + step;
    const up = network.evaluate(theta, rows, loss, undefined, mask).loss;
    theta[i] = saved - step;
    const down = network.evaluate(theta, rows, loss, undefined, mask).loss;
    theta[i] = saved;
    const numeric = (up - down) / (2 * step);
    expect(Math.abs(numeric - gradient[i]!), `parameter ${i}: numeric ${numeric}, analytic ${gradient[i]}`).toBeLessThan(2e-4 + 1e-2 * Math.abs(numeric));
  }
}

const plainLoss: LossSettings = { l2: 0, labelSmoothing: 0, classWeights: new Float32Array([1, 1, 1, 1]) };
const everyTerm: LossSettings = { l2: 0.01, labelSmoothing: 0.2, classWeights: new Float32Array([0.5, 1, 2, 1.5]) };

describe('HeadNetwork gradient (central differences, float32 kernels)', () => {
  it('softmax layer on standardized inputs', () => checkGradient({ featureDim: 9, hiddenUnits: 0, activation: 'relu', classCount: 4 }, plainLoss));
  it('softmax layer with L2, label smoothing and class weights', () => checkGradient({ featureDim: 9, hiddenUnits: 0, activation: 'relu', classCount: 4 }, everyTerm));
  it.each(['tanh', 'sigmoid', 'elu'] as const)('hidden layer (%s) and softmax layer, every loss term', (activation) => checkGradient({ featureDim: 7, hiddenUnits: 6, activation, classCount: 4 }, everyTerm));
  it('dropout masks on the features of a softmax layer', () => {
    const random = new SeededRandom(2);
    checkGradient({ featureDim: 9, hiddenUnits: 0, activation: 'relu', classCount: 4 }, everyTerm, Float32Array.from({ length: 24 * 9 }, () => (random.next() < 0.3 ? 0 : 1 / 0.7)));
  });
  it('dropout masks on the hidden activations', () => {
    const random = new SeededRandom(3);
    checkGradient({ featureDim: 7, hiddenUnits: 6, activation: 'tanh', classCount: 4 }, everyTerm, Float32Array.from({ length: 24 * 6 }, () => (random.next() < 0.3 ? 0 : 1 / 0.7)));
  });
});
