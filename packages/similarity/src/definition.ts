import { loadOnFirstRun, moduleDir, type StageDefinition } from '@graft/core/base';
import { similarityStage } from './spec.js';

/** The similarity stage: declaration, implementation, code folder; without a target domain it does nothing. */
export const similarityDefinition: StageDefinition<typeof similarityStage> = {
  spec: similarityStage,
  run: loadOnFirstRun(async () => (await import('./run.js')).runSimilarity),
  codeDirs: [moduleDir(import.meta.url)],
  intercept: async (argv, folders) => (await import('@graft/split/manifest-domains')).skipWithoutTarget(similarityStage, folders, Boolean(argv.quiet)),
};
