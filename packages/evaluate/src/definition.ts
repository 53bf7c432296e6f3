import { loadOnFirstRun, moduleDir, type StageDefinition } from '@graft/core/base';
import { evaluateStage } from './spec.js';

/** The evaluate stage: declaration, implementation and the folder of its code. */
export const evaluateDefinition: StageDefinition<typeof evaluateStage> = { spec: evaluateStage, run: loadOnFirstRun(async () => (await import('./run.js')).runEvaluate), codeDirs: [moduleDir(import.meta.url)] };
