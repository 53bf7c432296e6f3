import { moduleDir, type StageDefinition } from '@graft/core';
import { finetuneStage } from './spec.js';
import { runFinetune } from './run.js';

/** The finetune stage: declaration, implementation and the folder of its code. */
export const finetuneDefinition: StageDefinition<typeof finetuneStage> = { spec: finetuneStage, run: runFinetune, codeDirs: [moduleDir(import.meta.url)] };
