/** A fold worker: rebuilds trainHead's fit problem and folds from its setup and runs fold fits (see fold-fitting.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { servePoolTasks, type PoolWorkerData } from '@graft/core/base';
import { FitProblem } from './fit-problem.js';
import { crossValidationFolds, runFoldTask, type FoldOutcome, type FoldTask } from './l2-selection.js';
import { lbfgsFitAt, type FoldFitSetup } from './fold-fitting.js';

servePoolTasks<FoldFitSetup, FoldTask, FoldOutcome>(workerData as PoolWorkerData<FoldFitSetup>, parentPort, (setup) => {
  const problem = new FitProblem(setup.train, setup.validation, setup.originalCount);
  const network = problem.network(setup.shape, setup.maxRows);
  const folds = crossValidationFolds(problem, setup.folds);
  const fitAt = lbfgsFitAt(setup, problem, network);
  return (task) => {
    const outcome = runFoldTask(task, network, folds, problem.labels, fitAt);
    return { result: outcome, transfer: [outcome.theta.buffer as ArrayBuffer] };
  };
});
