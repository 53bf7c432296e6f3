import { loadOnFirstRun, moduleDir, type StageDefinition } from '@graft/core/base';
import { splitStage } from './spec.js';

/** The split stage: declaration, implementation and the folder of its code. */
export const splitDefinition: StageDefinition<typeof splitStage> = { spec: splitStage, run: loadOnFirstRun(async () => (await import('./run.js')).runSplit), codeDirs: [moduleDir(import.meta.url)] };
