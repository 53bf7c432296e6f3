import { moduleDir, type StageDefinition } from '@graft/core';
import { extractStage } from './spec.js';
import { runExtract } from './run.js';

/** The extract stage: declaration, implementation and the folder of its code. */
export const extractDefinition: StageDefinition<typeof extractStage> = { spec: extractStage, run: runExtract, codeDirs: [moduleDir(import.meta.url)] };
