import { loadOnFirstRun, moduleDir, type StageDefinition } from '@graft/core/base';
import { LINALG_CODE_DIR } from '@graft/linalg/code-dir';
import { trainStage } from './spec.js';

/** The train stage: declaration, implementation and the folders of its code (the kernels and solver in @graft/linalg included). */
export const trainDefinition: StageDefinition<typeof trainStage> = { spec: trainStage, run: loadOnFirstRun(async () => (await import('./run.js')).runTrain), codeDirs: [moduleDir(import.meta.url), LINALG_CODE_DIR] };
