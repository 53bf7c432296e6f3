import { moduleDir, type StageDefinition } from '@graft/core';
import { LINALG_CODE_DIR } from '@graft/linalg';
import { trainStage } from './spec.js';
import { runTrain } from './run.js';

/** The train stage: declaration, implementation and the folders of its code (the kernels and solver in @graft/linalg included). */
export const trainDefinition: StageDefinition<typeof trainStage> = { spec: trainStage, run: runTrain, codeDirs: [moduleDir(import.meta.url), LINALG_CODE_DIR] };
