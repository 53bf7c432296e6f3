import { moduleDir, type StageDefinition } from '@graft/core';
import { evaluateStage } from './spec.js';
import { runEvaluate } from './run.js';

/** The evaluate stage: declaration, implementation and the folder of its code. */
export const evaluateDefinition: StageDefinition<typeof evaluateStage> = { spec: evaluateStage, run: runEvaluate, codeDirs: [moduleDir(import.meta.url)] };
