/** An out-of-fold worker: fits the folds it is given (see out-of-fold.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { servePoolTasks, type PoolWorkerData } from '@graft/core/base';
import { foldFitter, type FoldProbabilities, type OutOfFoldSetup } from './out-of-fold.js';

servePoolTasks<OutOfFoldSetup, number, FoldProbabilities>(workerData as PoolWorkerData<OutOfFoldSetup>, parentPort, (setup) => {
  const fit = foldFitter(setup);
  return (fold) => {
    const result = fit(fold);
    return { result, transfer: [result.heldOut.buffer as ArrayBuffer, result.probabilities.buffer as ArrayBuffer] };
  };
});
