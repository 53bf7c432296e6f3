import { loadOnFirstRun, moduleDir, type StageDefinition } from '@graft/core/base';
import { finetuneStage } from './spec.js';

/** The finetune stage: declaration, implementation and the folder of its code. */
export const finetuneDefinition: StageDefinition<typeof finetuneStage> = { spec: finetuneStage, run: loadOnFirstRun(async () => (await import('./run.js')).runFinetune), codeDirs: [moduleDir(import.meta.url)] };
