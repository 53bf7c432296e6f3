import { loadOnFirstRun, moduleDir, type StageDefinition } from '@graft/core/base';
import { trainDefinition } from '@graft/train/definition';
import { doctorStage } from './spec.js';

/** The doctor stage: declaration, implementation, code folders (its own, and train's head fitting it reuses). */
export const doctorDefinition: StageDefinition<typeof doctorStage> = {
  spec: doctorStage,
  run: loadOnFirstRun(async () => (await import('./run.js')).runDoctor),
  codeDirs: [moduleDir(import.meta.url), ...trainDefinition.codeDirs],
};
