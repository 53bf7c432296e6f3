import { moduleDir, type StageDefinition } from '@graft/core';
import { skipWithoutTarget } from '@graft/split';
import { similarityStage } from './spec.js';
import { runSimilarity } from './run.js';

/** The similarity stage: declaration, implementation, code folder; without a target domain it does nothing. */
export const similarityDefinition: StageDefinition<typeof similarityStage> = {
  spec: similarityStage,
  run: runSimilarity,
  codeDirs: [moduleDir(import.meta.url)],
  intercept: (argv, folders) => skipWithoutTarget(similarityStage, folders, Boolean(argv.quiet)),
};
