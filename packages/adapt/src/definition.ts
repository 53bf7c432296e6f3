import { moduleDir, type StageDefinition } from '@graft/core';
import { skipWithoutTarget } from '@graft/split';
import { LINALG_CODE_DIR } from '@graft/linalg';
import { adaptStage } from './spec.js';
import { runAdapt } from './run.js';

/** The adapt stage: declaration, implementation, code folder; without a target domain it does nothing. */
export const adaptDefinition: StageDefinition<typeof adaptStage> = {
  spec: adaptStage,
  run: runAdapt,
  codeDirs: [moduleDir(import.meta.url), LINALG_CODE_DIR],
  intercept: (argv, folders) => skipWithoutTarget(adaptStage, folders, Boolean(argv.quiet)),
};
