import type { StageDefinition, StageSpec } from '@graft/core';
import { splitDefinition } from '@graft/split';
import { extractDefinition } from '@graft/extract';
import { trainDefinition } from '@graft/train';
import { evaluateDefinition } from '@graft/evaluate';

/** The pipeline, in run order. */
export const PIPELINE: readonly StageDefinition<StageSpec>[] = [splitDefinition, extractDefinition, trainDefinition, evaluateDefinition] as unknown as StageDefinition<StageSpec>[];
