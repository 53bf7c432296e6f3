import { existsSync } from 'node:fs';
import {
  ArtifactNotFoundError, CORE_CODE_DIR, artifactPath, Progress, codeHash, hashInputs, outOfDateReason, paramsFromArgv, readProvenance, stageKey, upstreamStages,
  type StageDefinition, type StageSpec,
} from '@graft/core/base';
import { splitHasTarget } from '@graft/split/manifest-domains';
import { fingerprintDataset } from '@graft/split/dataset-fingerprint';

/** Whether a stage's outputs are current, and if not, why. */
export interface StageStatus {
  readonly stage: string;
  readonly upToDate: boolean;
  /** Why the stage is not up to date; undefined when it is. */
  readonly reason?: string;
  /** The summary of its last run (accuracy, counts…), when it ran. */
  readonly summary?: Record<string, unknown>;
}

export interface StatusOptions {
  readonly out: string;
  readonly data: string | undefined;
  readonly paramsDir: string | undefined;
  /** Parsed command line: stage params given as flags. */
  readonly argv: Record<string, unknown>;
  readonly quiet: boolean;
}

/**
 * The status of every stage, in pipeline order, by the checks `graft run` makes before skipping a
 * stage (params, input hashes, code, outputs present). A stage without inputs (split) is checked
 * against the data folder's content. A stage is up to date only when every stage it reads from is.
 */
export async function pipelineStatus(pipeline: readonly StageDefinition<StageSpec>[], options: StatusOptions): Promise<StageStatus[]> {
  const statuses = new Map<string, StageStatus>();
  const hasTarget = await splitHasTarget(options.out).catch(() => false);
  for (const { spec, codeDirs } of pipeline) {
    // Domain-adaptation stages do nothing without a target domain (as in `graft run`): not listed then.
    if (spec.needsTarget && !hasTarget) continue;
    const reason = await ownReason(spec, [...codeDirs, CORE_CODE_DIR], options);
    const staleUpstream = upstreamStages(spec).find((name) => statuses.get(name)?.upToDate === false);
    const why = reason ?? (staleUpstream ? `upstream stage ${staleUpstream} is not up to date` : undefined);
    const summary = readProvenance(options.out, spec)?.summary as Record<string, unknown> | undefined;
    statuses.set(spec.name, { stage: spec.name, upToDate: why === undefined, ...(why ? { reason: why } : {}), ...(summary ? { summary } : {}) });
  }
  return [...statuses.values()];
}

async function ownReason(spec: StageSpec, codeDirs: readonly string[], options: StatusOptions): Promise<string | undefined> {
  const params = { ...paramsFromArgv(spec, options.argv, options.paramsDir) } as Record<string, unknown>;
  let inputs: Record<string, string>;
  try {
    inputs = await hashInputs(spec, options.out);
  } catch (error) {
    if (!(error instanceof ArtifactNotFoundError)) throw error;
    const missing = Object.values(spec.inputs).find((input) => !existsSync(artifactPath(options.out, input.stage, input)))!;
    return `input ${missing.stage}/${missing.file} is missing (run \`graft ${missing.stage}\`)`;
  }
  const reason = outOfDateReason(spec, options.out, { params, inputs, key: stageKey(spec, params, inputs, codeHash(codeDirs)) });
  if (reason !== undefined || Object.keys(spec.inputs).length > 0) return reason;
  return datasetReason(spec, options);
}

/** For a stage that reads the data folder directly: has its content changed since the stage ran? */
async function datasetReason(spec: StageSpec, options: StatusOptions): Promise<string | undefined> {
  const recorded = (readProvenance(options.out, spec)?.dataset as { hash?: string } | undefined)?.hash;
  if (options.data === undefined) return 'no data folder to compare with (pass --data)';
  if (!existsSync(options.data)) return `data folder ${options.data} not found`;
  const progress = new Progress(`status: hashing ${options.data}`, undefined, { quiet: options.quiet });
  const { hash } = await fingerprintDataset(options.data, () => progress.tick());
  progress.finish();
  return hash === recorded ? undefined : `the files in ${options.data} differ from what ${spec.name} read last time`;
}
