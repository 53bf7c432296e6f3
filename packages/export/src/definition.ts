import { moduleDir, type StageDefinition } from '@graft/core';
import { exportStage } from './spec.js';
import { runExport } from './run.js';

/** The export stage: declaration, implementation and the folder of its code. */
export const exportDefinition: StageDefinition<typeof exportStage> = { spec: exportStage, run: runExport, codeDirs: [moduleDir(import.meta.url)] };
