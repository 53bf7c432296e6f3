import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@graft/core';
import { minimizeLbfgs } from '@graft/linalg';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveLayersModel, tf, useTfjsBackend } from '@graft/tf';
import { trainHead, l2Candidates, resolveLearningRate, resolveOptimizer } from '../src/head-training.js';
import { headProbabilities } from '../src/head-probabilities.js';
import { headToLayersModel } from '../src/head-model.js';
import { readHeadModel, writeHeadModel } from '../src/head-model-file.js';
import { featureScaling } from '@graft/linalg';
import { L2_GRID } from '../src/spec.js';
import { PATH_PATIENCE } from '../src/l2-selection.js';
import type { LabelledFeatures } from '../src/features.js';
import type { TrainedHead } from '../src/head.js';
import { accuracy, blobs, crossEntropy, options, xor } from './fixtures.js';

const standardized = (data: LabelledFeatures, mean: Float64Array, scale: Float64Array) =>
  Float32Array.from(data.features, (x, i) => (x - mean[i % data.dimension]!) / scale[i % data.dimension]!);

describe('trainHead with L-BFGS (the default)', () => {
  it('reaches the optimum of a separable problem with a fixed L2 that a long float64 run finds', () => {
    const [train, validation] = [blobs(90, 3, 6, 1, 0.3), blobs(30, 3, 6, 2, 0.3)];
    const l2 = 0.01;
    const result = trainHead(train, validation, options(3, { l2: String(l2), gradientTolerance: 1e-6 }));
    expect(result.optimizer).toBe('lbfgs');
    expect(result.selection).toBeNull();
    expect(result.solver!.stop).toBe('converged');
    expect(result.solver!.gradientNorm).toBeLessThanOrEqual(1e-6);
    // The same problem solved in float64 by plain loops, to a 1e-12 gradient.
    const x = standardized(train, result.scaling.mean, result.scaling.scale);
    const objective = (theta: Float64Array, gradient: Float64Array) => {
      gradient.fill(0);
      const [n, D, C] = [train.count, train.dimension, 3];
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const z = Array.from({ length: C }, (_, c) => {
          let v = theta[C * D + c]!;
          for (let d = 0; d < D; d++) v += theta[c * D + d]! * x[i * D + d]!;
          return v;
        });
        const max = Math.max(...z);
        const sum = z.reduce((s, v) => s + Math.exp(v - max), 0);
        loss -= (z[train.labels[i]!]! - max - Math.log(sum)) / n;
        for (let c = 0; c < C; c++) {
          const delta = (Math.exp(z[c]! - max) / sum - (c === train.labels[i] ? 1 : 0)) / n;
          gradient[C * D + c]! += delta;
          for (let d = 0; d < D; d++) gradient[c * D + d]! += delta * x[i * D + d]!;
        }
      }
      for (let k = 0; k < C * D; k++) {
        loss += l2 * theta[k]! ** 2;
        gradient[k]! += 2 * l2 * theta[k]!;
      }
      return loss;
    };
    const reference = minimizeLbfgs(objective, new Float64Array(3 * 6 + 3), { gradientTolerance: 1e-12, maxIterations: 10_000 });
    expect(reference.gradientNorm).toBeLessThan(1e-10);
    const head = result.standardizedHead.output;
    let largest = 0;
    for (let c = 0; c < 3; c++) {
      for (let d = 0; d < 6; d++) {
        largest = Math.max(largest, Math.abs(reference.x[c * 6 + d]!));
        expect(head.kernel[d * 3 + c]).toBeCloseTo(reference.x[c * 6 + d]!, 3);
      }
    }
    expect(largest).toBeGreaterThan(0.5); // a real solution, not all zeros
    // Biases are determined up to a common constant (softmax); compare differences.
    expect(head.bias[1]! - head.bias[0]!).toBeCloseTo(reference.x[19]! - reference.x[18]!, 3);
    expect(head.bias[2]! - head.bias[0]!).toBeCloseTo(reference.x[20]! - reference.x[18]!, 3);
  });

  it('chooses l2 by 5-fold cross-validation over train + validation when the validation split is small: lowest held-out log-loss, strongest first, stopping past the best', () => {
    const [train, validation] = [blobs(100, 4, 12, 1, 1.5), blobs(20, 4, 12, 2, 1.5)];
    const result = trainHead(train, validation, options(4));
    const { method, folds, candidates } = result.selection!;
    expect([method, folds]).toEqual(['cross-validation', 5]);
    const tried = candidates.map((c) => c.l2);
    expect(tried).toEqual([...L2_GRID].sort((a, b) => b - a).slice(0, tried.length));
    const best = candidates.findIndex((c) => c.l2 === result.l2);
    expect(candidates[best]!.logLoss).toBe(Math.min(...candidates.map((c) => c.logLoss)));
    // Either the whole grid was tried, or exactly PATH_PATIENCE strengths after the best, each worse.
    if (tried.length < L2_GRID.length) expect(tried.length - 1 - best).toBe(PATH_PATIENCE);
    expect(best).toBeGreaterThan(0); // the strongest penalty is not the best here: the choice is real
    expect(result.kept.validationAccuracy!).toBeGreaterThan(0.8);
  });

  it('chooses l2 on the validation split when asked, with the lowest validation log-loss', () => {
    const [train, validation] = [blobs(100, 4, 12, 1, 1.5), blobs(60, 4, 12, 2, 1.5)];
    const result = trainHead(train, validation, options(4, { l2: '0.0001,0.01,1,100', l2Selection: 'validation' }));
    expect(result.selection!).toMatchObject({ method: 'validation', folds: 1 });
    expect(result.selection!.candidates.map((c) => c.l2)).toEqual([100, 1, 0.01, 0.0001]);
    const losses = result.selection!.candidates.map((c) => c.logLoss);
    expect(result.selection!.candidates.find((c) => c.l2 === result.l2)!.logLoss).toBe(Math.min(...losses));
    // l2 = 100 squashes the weights: visibly worse than the chosen one.
    expect(result.selection!.candidates[0]!.accuracy).toBeLessThan(result.selection!.candidates.find((c) => c.l2 === result.l2)!.accuracy);
  });

  it('standardization comes from the training rows only: changing validation rows changes neither it nor the head', () => {
    const train = blobs(80, 4, 10, 1);
    const validation = blobs(40, 4, 10, 2);
    const shifted = { ...validation, features: validation.features.map((x) => x * 7 + 100) };
    const settings = options(4, { l2: '0.01' });
    const [a, b] = [trainHead(train, validation, settings), trainHead(train, shifted, settings)];
    const expected = featureScaling(train.features, train.dimension, Int32Array.from({ length: train.count }, (_, i) => i));
    expect(Array.from(a.scaling.mean)).toEqual(Array.from(expected.mean));
    expect(Array.from(a.scaling.scale)).toEqual(Array.from(expected.scale));
    expect(Array.from(b.scaling.mean)).toEqual(Array.from(expected.mean));
    expect(b.head.output.kernel).toEqual(a.head.output.kernel);
    // The validation rows do not have the training rows' statistics (the test above could not fail otherwise).
    expect(featureScaling(shifted.features, 10, Int32Array.from({ length: 40 }, (_, i) => i)).mean[0]).toBeGreaterThan(expected.mean[0]! + 10);
  });

  it('the folded head on raw features gives the probabilities of the unfolded head on standardized features — in the kernels and in the saved tfjs model', async () => {
    const [train, test] = [blobs(80, 4, 10, 1), blobs(40, 4, 10, 5)];
    for (const hiddenUnits of [0, 8]) {
      const result = trainHead(train, blobs(20, 4, 10, 2), options(4, { hiddenUnits, l2: '0.001', steps: 300 }));
      const folded = headProbabilities(result.head, test.features);
      const unfolded = headProbabilities(result.standardizedHead, standardized(test, result.scaling.mean, result.scaling.scale));
      folded.forEach((p, i) => expect(p).toBeCloseTo(unfolded[i]!, 5));
      expect(Math.max(...folded)).toBeGreaterThan(0.9);
      await useTfjsBackend();
      const model = headToLayersModel(result.head);
      const fromModel = tf.tidy(() => (model.predict(tf.tensor2d(test.features, [test.count, test.dimension])) as tf.Tensor).dataSync() as Float32Array);
      fromModel.forEach((p, i) => expect(p).toBeCloseTo(folded[i]!, 5));
      // Saved as train saves it and read back without tfjs (evaluate, the doctor): the same head.
      const folder = mkdtempSync(join(tmpdir(), 'graft-head-'));
      await saveLayersModel(model, folder);
      model.dispose();
      const read = await readHeadModel(join(folder, 'model.json'));
      // train writes it without tfjs: the same files, byte for byte.
      const written = mkdtempSync(join(tmpdir(), 'graft-head-'));
      await writeHeadModel(result.head, written);
      for (const file of ['model.json', 'weights.bin']) expect(readFileSync(join(written, file))).toEqual(readFileSync(join(folder, file)));
      expect(read).toEqual(result.head);
      expect(Array.from(headProbabilities(read, test.features))).toEqual(Array.from(folded));
      expect(result.head.output.units).toBe(4);
      expect(result.head.featureDim).toBe(10);
    }
  });

  it('is deterministic: the same data and options give identical weights', () => {
    const data = [blobs(60, 3, 8, 1, 1), blobs(20, 3, 8, 2, 1)] as const;
    const [a, b] = [trainHead(...data, options(3)), trainHead(...data, options(3))];
    expect(a.head.output.kernel).toEqual(b.head.output.kernel);
    expect(a.selection).toEqual(b.selection);
    expect(a.curve).toEqual(b.curve);
  });

  it('records one curve point per iteration, the loss never rising', () => {
    const { curve, solver } = trainHead(blobs(80, 4, 10, 1, 1), blobs(20, 4, 10, 2, 1), options(4, { l2: '0.001' }));
    expect(curve.map((p) => p.step)).toEqual(Array.from({ length: solver!.iterations }, (_, i) => i + 1));
    for (let i = 1; i < curve.length; i++) expect(curve[i]!.loss).toBeLessThanOrEqual(curve[i - 1]!.loss);
    expect(curve.at(-1)!.trainAccuracy).toBe(1);
  });

  it('distorted copies stay in their image\'s fold: no image is held out while a copy of it trains', () => {
    const originals = blobs(40, 2, 6, 1, 2);
    // Copies: exact duplicates, so a copy in the fitting rows would leak its held-out image's label.
    const train: LabelledFeatures = {
      features: Float32Array.from([...originals.features, ...originals.features]),
      labels: Int32Array.from([...originals.labels, ...originals.labels]),
      paths: [...originals.paths, ...originals.paths],
      count: 80,
      dimension: 6,
    };
    const withCopies = trainHead(train, blobs(0, 2, 6, 2), options(2, { l2: '0,1e-6' }), undefined, 40);
    expect(withCopies.selection!.folds).toBe(5);
    // Unpenalized, a leaked duplicate would be predicted perfectly: out-of-fold accuracy stays below 100 % on these overlapping blobs.
    expect(withCopies.selection!.candidates.every((c) => c.accuracy < 1)).toBe(true);
    const wrongCount = trainHead(train, blobs(0, 2, 6, 2), options(2, { l2: '0,1e-6' }), undefined, 80);
    expect(wrongCount.selection!.candidates[1]!.accuracy).toBeGreaterThan(withCopies.selection!.candidates[1]!.accuracy);
  });
});

describe('trainHead with mini-batch steps', () => {
  it('learns separable classes and records a curve (retrain.py: raw features, SGD 0.01)', () => {
    const { head, curve, kept, stepsRun, optimizer, l2 } = trainHead(blobs(200, 4, 16, 1, 0.5, false), blobs(80, 4, 16, 2, 0.5, false), options(4, { standardize: false, optimizer: 'sgd', steps: 300, learningRate: '0.05', evalEvery: 50, batchSize: 32 }));
    expect([optimizer, l2]).toEqual(['sgd', 0]);
    expect(curve.map((p) => p.step)).toEqual([50, 100, 150, 200, 250, 300]);
    expect(kept).toBe(curve.at(-1));
    expect(stepsRun).toBe(300);
    expect(curve.at(-1)!.validationAccuracy!).toBeGreaterThan(0.95);
    expect(head.hidden).toBeNull();
  });

  it('standardization lets retrain.py\'s SGD 0.01 learn features on a small scale that raw SGD barely moves on', () => {
    const data = [blobs(200, 4, 16, 1, 1.2), blobs(80, 4, 16, 2, 1.2)] as const;
    const sgd = { optimizer: 'sgd', steps: 400, evalEvery: 400 } as const;
    const raw = trainHead(...data, options(4, { ...sgd, standardize: false }));
    const scaled = trainHead(...data, options(4, sgd));
    expect(scaled.kept.validationAccuracy!).toBeGreaterThan(raw.kept.validationAccuracy! + 0.2);
  });

  it('is deterministic for a seed and differs across seeds (dropout included)', () => {
    const run = (overrides: object) => trainHead(blobs(100, 4, 8, 1), blobs(40, 4, 8, 2), options(4, { optimizer: 'sgd', steps: 200, ...overrides }));
    const [a, b, c] = [run({}), run({}), run({ seed: 4 })];
    expect(a.head.output.kernel).toEqual(b.head.output.kernel);
    expect(a.head.output.kernel).not.toEqual(c.head.output.kernel);
    const [d, e] = [run({ hiddenUnits: 8, dropout: 0.3 }), run({ hiddenUnits: 8, dropout: 0.3 })];
    expect(d.head.hidden!.kernel).toEqual(e.head.hidden!.kernel);
    expect(d.head.output.kernel).not.toEqual(run({ hiddenUnits: 8 }).head.output.kernel);
  });

  it('a hidden layer learns XOR, which the softmax layer alone cannot; auto picks Adam for it', () => {
    const settings = options(2, { steps: 600, learningRate: '0.05', evalEvery: 600, batchSize: 32 });
    const linear = trainHead(xor(400, 1), xor(200, 2), settings);
    const hidden = trainHead(xor(400, 1), xor(200, 2), { ...settings, hiddenUnits: 16 });
    expect(linear.optimizer).toBe('lbfgs');
    expect(hidden.optimizer).toBe('adam');
    expect(linear.kept.validationAccuracy!).toBeLessThan(0.75);
    expect(hidden.kept.validationAccuracy!).toBeGreaterThan(0.9);
    expect(hidden.head.hidden).toMatchObject({ units: 16, inputDim: 2, activation: 'relu' });
    const probabilities = headProbabilities(hidden.head, xor(200, 2).features);
    expect(accuracy(probabilities, xor(200, 2).labels, 2)).toBeCloseTo(hidden.kept.validationAccuracy!, 5);
  });

  it.each(['momentum', 'adam'] as const)('learns with the %s optimizer', (optimizer) => {
    const { kept } = trainHead(blobs(200, 4, 16, 1), blobs(80, 4, 16, 2), options(4, { optimizer, learningRate: optimizer === 'adam' ? '0.01' : '0.02', steps: 300, batchSize: 32 }));
    expect(kept.validationAccuracy!).toBeGreaterThan(0.95);
  });

  it('early stopping ends the run when validation loss stops improving and keeps the best weights', () => {
    const validation = blobs(80, 4, 16, 2);
    const random = new SeededRandom(5);
    const noisy = { ...validation, labels: validation.labels.map(() => random.int(4)) };
    const { head, curve, kept, stepsRun } = trainHead(blobs(200, 4, 16, 1), noisy, options(4, { optimizer: 'sgd', steps: 5000, evalEvery: 20, earlyStoppingPatience: 3, learningRate: '0.5', batchSize: 32 }));
    expect(stepsRun).toBeLessThan(5000);
    expect(curve.at(-1)!.step).toBe(stepsRun);
    expect(curve.length - curve.indexOf(kept) - 1).toBe(3);
    expect(kept.validationLoss).toBe(Math.min(...curve.map((p) => p.validationLoss!)));
    expect(crossEntropy(headProbabilities(head, noisy.features), noisy.labels, 4)).toBeCloseTo(kept.validationLoss!, 4);
  });

  it('label smoothing keeps predictions from saturating; L2 keeps weights small', () => {
    const data = [blobs(200, 4, 16, 1), blobs(80, 4, 16, 2)] as const;
    const settings = options(4, { optimizer: 'sgd', steps: 800, learningRate: '0.5', batchSize: 32 });
    const [plain, smoothed, penalised] = [trainHead(...data, settings), trainHead(...data, { ...settings, labelSmoothing: 0.3 }), trainHead(...data, { ...settings, l2: '0.1' })];
    const confidence = (head: TrainedHead) => {
      const p = headProbabilities(head, data[1].features);
      return Array.from({ length: 80 }, (_, i) => Math.max(...p.subarray(i * 4, i * 4 + 4))).reduce((a, b) => a + b, 0) / 80;
    };
    const norm = (values: Float32Array) => Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
    expect(confidence(plain.head)).toBeGreaterThan(0.97);
    expect(confidence(smoothed.head)).toBeLessThan(0.85);
    expect(smoothed.kept.validationAccuracy!).toBeGreaterThan(0.95);
    expect(norm(penalised.standardizedHead.output.kernel)).toBeLessThan(0.5 * norm(plain.standardizedHead.output.kernel));
  });

  it('records the scheduled learning rate of each step', () => {
    const { curve } = trainHead(blobs(100, 4, 8, 1), blobs(40, 4, 8, 2), options(4, { optimizer: 'sgd', learningRate: '0.05', steps: 200, evalEvery: 50, learningRateSchedule: 'step', learningRateDecaySteps: 100, learningRateDecayFactor: 0.5 }));
    expect(curve.map((p) => p.learningRate)).toEqual([0.05, 0.05, 0.025, 0.025]);
  });

  it('class weights under uniform sampling lift the minority class like balanced sampling does', () => {
    const random = new SeededRandom(9);
    const make = (count: number): LabelledFeatures => {
      const features = new Float32Array(count * 2);
      const labels = Int32Array.from({ length: count }, (_, i) => (i % 10 === 0 ? 1 : 0));
      labels.forEach((label, i) => features.set([random.normal() + (label ? 1 : 0), random.normal()], i * 2));
      return { features, labels, paths: [], count, dimension: 2 };
    };
    const [train, validation] = [make(1000), make(1000)];
    const recall = (head: TrainedHead) => {
      const p = headProbabilities(head, validation.features);
      const minority = Array.from(validation.labels.keys()).filter((i) => validation.labels[i] === 1);
      return minority.filter((i) => p[2 * i + 1]! > p[2 * i]!).length / minority.length;
    };
    for (const optimizer of ['sgd', 'lbfgs'] as const) {
      const settings = options(2, { optimizer, steps: 600, learningRate: '0.1', sampling: 'uniform', evalEvery: 600, l2: '0.001' });
      const [unweighted, weighted] = [trainHead(train, validation, settings), trainHead(train, validation, { ...settings, classWeights: 'balanced' })];
      expect(recall(unweighted.head)).toBeLessThan(0.2);
      expect(recall(weighted.head)).toBeGreaterThan(0.55);
    }
  });
});

describe('optimizer and l2 choices', () => {
  it('refuses dropout and early stopping with L-BFGS, saying which optimizers take them', () => {
    const data = [blobs(40, 2, 4, 1), blobs(10, 2, 4, 2)] as const;
    expect(() => trainHead(...data, options(2, { dropout: 0.3 }))).toThrow(/--dropout works with the step optimizers; L-BFGS \(the default for a softmax layer\).*add --optimizer adam/);
    expect(() => trainHead(...data, options(2, { optimizer: 'lbfgs', earlyStoppingPatience: 3 }))).toThrow(/--early-stopping-patience works with the step optimizers; L-BFGS \(--optimizer lbfgs\)/);
    expect(trainHead(...data, options(2, { dropout: 0.3, optimizer: 'adam', steps: 20 })).optimizer).toBe('adam');
  });

  it('auto is lbfgs for a softmax layer and adam after a hidden layer; auto l2 is the grid with lbfgs and 0 with steps', () => {
    expect(resolveOptimizer({ optimizer: 'auto', hiddenUnits: 0 })).toBe('lbfgs');
    expect(resolveOptimizer({ optimizer: 'auto', hiddenUnits: 64 })).toBe('adam');
    expect(resolveOptimizer({ optimizer: 'sgd', hiddenUnits: 0 })).toBe('sgd');
    expect(l2Candidates('auto', 'lbfgs')).toEqual([...L2_GRID]);
    expect(l2Candidates('auto', 'sgd')).toEqual([0]);
    expect(l2Candidates('0.1,1e-3,0.1', 'lbfgs')).toEqual([0.1, 0.001]);
    expect([resolveLearningRate('auto', 'sgd'), resolveLearningRate('auto', 'momentum'), resolveLearningRate('auto', 'adam'), resolveLearningRate('0.3', 'adam')]).toEqual([0.01, 0.01, 0.001, 0.3]);
  });
});
