import { afterEach, describe, expect, it } from 'vitest';
import { trainHead } from '../src/head-training.js';
import { FitProblem } from '../src/fit-problem.js';
import { crossValidationFolds, inProcessFoldFitter, selectL2 } from '../src/l2-selection.js';
import { lbfgsFitAt, workerFoldFitter, type FoldFitSetup } from '../src/fold-fitting.js';
import { L2_GRID } from '../src/spec.js';
import { blobs, options } from './fixtures.js';

const workersBefore = process.env.GRAFT_WORKERS;
afterEach(() => {
  if (workersBefore === undefined) delete process.env.GRAFT_WORKERS;
  else process.env.GRAFT_WORKERS = workersBefore;
});

describe('cross-validation fits on worker threads', () => {
  const [train, validation] = [blobs(160, 4, 24, 1, 1.5), blobs(40, 4, 24, 2, 1.5)];
  const setup: FoldFitSetup = {
    train, validation, originalCount: train.count, shape: { featureDim: 24, hiddenUnits: 0, activation: 'relu', classCount: 4 }, maxRows: 200,
    folds: { folds: 5, seed: 42, standardize: true, classCount: 4 }, labelSmoothing: 0, classWeights: new Float32Array(4).fill(1),
    lbfgs: { maxIterations: 1000, gradientTolerance: 1e-4 }, seed: 42,
  };

  it('score every strength exactly as the fits on this thread do, bit for bit, with 1 to 3 workers', () => {
    const select = (workers: number) => {
      const problem = new FitProblem(train, validation);
      const network = problem.network(setup.shape, setup.maxRows);
      const fitAt = lbfgsFitAt(setup, problem, network);
      let used = 0;
      const fitter = (folds: Parameters<typeof inProcessFoldFitter>[1]) => {
        if (workers === 0) return inProcessFoldFitter(network, folds, problem.labels, fitAt);
        const onWorkers = workerFoldFitter(setup, workers);
        used = onWorkers?.capacity ?? 0;
        return onWorkers;
      };
      const ticks: number[] = [];
      const selection = selectL2(problem, network, L2_GRID, 'cross-validation', { ...setup.folds, fitter }, fitAt, () => ticks.push(1));
      return { selection, used, ticks: ticks.length, folds: crossValidationFolds(problem, setup.folds).length };
    };
    const here = select(0);
    expect(here.selection.candidates.length).toBeGreaterThan(2);
    for (const workers of [1, 2, 3]) {
      const there = select(workers);
      expect(there.used).toBe(workers); // the worker script is built and the fits ran there
      expect(there.selection).toEqual(here.selection);
      // Every fit the path needed ticked once; fits run ahead of the stopping point may tick too, fits of the whole grid at most.
      expect(there.ticks).toBeGreaterThanOrEqual(here.ticks);
      expect(there.ticks).toBeLessThanOrEqual(there.folds * L2_GRID.length);
    }
  });

  it('give trainHead the same head as one thread (GRAFT_WORKERS=2 vs 0)', () => {
    process.env.GRAFT_WORKERS = '0';
    const alone = trainHead(train, validation, options(4));
    process.env.GRAFT_WORKERS = '2';
    const parallel = trainHead(train, validation, options(4));
    expect(parallel.selection).toEqual(alone.selection);
    expect(parallel.l2).toBe(alone.l2);
    expect(Buffer.from(parallel.head.output.kernel.buffer).equals(Buffer.from(alone.head.output.kernel.buffer))).toBe(true);
  });

  it('report a worker\'s error instead of hanging', () => {
    const fitter = workerFoldFitter({ ...setup, shape: undefined as unknown as FoldFitSetup['shape'] }, 1)!;
    try {
      fitter.start({ fold: 0, strength: 0, l2: 1, start: undefined });
      expect(() => fitter.finish()).toThrow(/worker set-up failed: TypeError/);
    } finally {
      fitter.close?.();
    }
  });
});
