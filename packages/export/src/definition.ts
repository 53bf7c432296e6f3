import { loadOnFirstRun, moduleDir, type StageDefinition } from '@graft/core/base';
import { exportStage } from './spec.js';

/** The export stage: declaration, implementation and the folder of its code. */
export const exportDefinition: StageDefinition<typeof exportStage> = { spec: exportStage, run: loadOnFirstRun(async () => (await import('./run.js')).runExport), codeDirs: [moduleDir(import.meta.url)] };
