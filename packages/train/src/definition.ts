import { moduleDir, type StageDefinition } from '@graft/core';
import { trainStage } from './spec.js';
import { runTrain } from './run.js';

/** The train stage: declaration, implementation and the folder of its code. */
export const trainDefinition: StageDefinition<typeof trainStage> = { spec: trainStage, run: runTrain, codeDirs: [moduleDir(import.meta.url)] };
