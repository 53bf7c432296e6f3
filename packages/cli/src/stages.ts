import type { StageDefinition, StageSpec } from '@graft/core/base';
import { splitDefinition } from '@graft/split/definition';
import { extractDefinition } from '@graft/extract/definition';
import { similarityDefinition } from '@graft/similarity/definition';
import { trainDefinition } from '@graft/train/definition';
import { doctorDefinition } from '@graft/doctor/definition';
import { adaptDefinition } from '@graft/adapt/definition';
import { evaluateDefinition } from '@graft/evaluate/definition';
import { exportDefinition } from '@graft/export/definition';
import { finetuneDefinition } from '@graft/finetune/definition';

/**
 * The pipeline, in run order. Stages that need a target domain (`needsTarget`: similarity, adapt) do
 * nothing unless split ran with `--target`.
 */
export const PIPELINE: readonly StageDefinition<StageSpec>[] = [splitDefinition, extractDefinition, similarityDefinition, trainDefinition, doctorDefinition, adaptDefinition, evaluateDefinition, exportDefinition] as unknown as StageDefinition<StageSpec>[];

/**
 * Stages run on their own, after the pipeline (not by `graft run`): finetune costs minutes to hours
 * on a CPU where the pipeline costs seconds.
 */
export const EXTRA_STAGES: readonly StageDefinition<StageSpec>[] = [finetuneDefinition] as unknown as StageDefinition<StageSpec>[];

/** Every stage: the pipeline's, then those run on demand. */
export const ALL_STAGES: readonly StageDefinition<StageSpec>[] = [...PIPELINE, ...EXTRA_STAGES];
