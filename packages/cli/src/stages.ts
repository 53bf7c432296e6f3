import type { StageDefinition, StageSpec } from '@graft/core';
import { splitDefinition } from '@graft/split';
import { extractDefinition } from '@graft/extract';
import { trainDefinition } from '@graft/train';
import { evaluateDefinition } from '@graft/evaluate';
import { exportDefinition } from '@graft/export';

/** The pipeline, in run order. */
export const PIPELINE: readonly StageDefinition<StageSpec>[] = [splitDefinition, extractDefinition, trainDefinition, evaluateDefinition, exportDefinition] as unknown as StageDefinition<StageSpec>[];
