import { moduleDir, type StageDefinition } from '@graft/core';
import { splitStage } from './spec.js';
import { runSplit } from './run.js';

/** The split stage: declaration, implementation and the folder of its code. */
export const splitDefinition: StageDefinition<typeof splitStage> = { spec: splitStage, run: runSplit, codeDirs: [moduleDir(import.meta.url)] };
