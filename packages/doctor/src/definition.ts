import { moduleDir, type StageDefinition } from '@graft/core';
import { trainDefinition } from '@graft/train';
import { doctorStage } from './spec.js';
import { runDoctor } from './run.js';

/** The doctor stage: declaration, implementation, code folders (its own, and train's head fitting it reuses). */
export const doctorDefinition: StageDefinition<typeof doctorStage> = {
  spec: doctorStage,
  run: runDoctor,
  codeDirs: [moduleDir(import.meta.url), ...trainDefinition.codeDirs],
};
