import { loadOnFirstRun, moduleDir, type StageDefinition } from '@graft/core/base';
import { LINALG_CODE_DIR } from '@graft/linalg/code-dir';
import { adaptStage } from './spec.js';

/** The adapt stage: declaration, implementation, code folder; without a target domain it does nothing. */
export const adaptDefinition: StageDefinition<typeof adaptStage> = {
  spec: adaptStage,
  run: loadOnFirstRun(async () => (await import('./run.js')).runAdapt),
  codeDirs: [moduleDir(import.meta.url), LINALG_CODE_DIR],
  intercept: async (argv, folders) => (await import('@graft/split/manifest-domains')).skipWithoutTarget(adaptStage, folders, Boolean(argv.quiet)),
};
