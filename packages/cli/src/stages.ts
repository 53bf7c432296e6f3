import type { StageDefinition, StageSpec } from '@graft/core';
import { splitDefinition } from '@graft/split';
import { extractDefinition } from '@graft/extract';
import { similarityDefinition } from '@graft/similarity';
import { trainDefinition } from '@graft/train';
import { adaptDefinition } from '@graft/adapt';
import { evaluateDefinition } from '@graft/evaluate';
import { exportDefinition } from '@graft/export';

/**
 * The pipeline, in run order. Stages that need a target domain (`needsTarget`: similarity, adapt) do
 * nothing unless split ran with `--target`.
 */
export const PIPELINE: readonly StageDefinition<StageSpec>[] = [splitDefinition, extractDefinition, similarityDefinition, trainDefinition, adaptDefinition, evaluateDefinition, exportDefinition] as unknown as StageDefinition<StageSpec>[];
