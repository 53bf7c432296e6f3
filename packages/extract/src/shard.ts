import { ParamError } from '@graft/core/base';

/** One worker's share of the extraction: shard `index` of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * Parse `--shard k/N` (k counted from 0), or take k from `JOB_COMPLETION_INDEX` (set by a
 * Kubernetes Indexed Job for each pod) with N from `--shards`. Undefined when not sharded.
 */
export function parseShard(flag: unknown, shards: unknown, environment: NodeJS.ProcessEnv = process.env): Shard | undefined {
  if (flag !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(String(flag));
    if (!match) throw new ParamError(`extract --shard must look like k/N with 0 ≤ k < N (e.g. 0/4), got ${JSON.stringify(flag)}`);
    return checked(Number(match[1]), Number(match[2]), '--shard');
  }
  if (shards === undefined) return undefined;
  const index = environment.JOB_COMPLETION_INDEX;
  if (index === undefined || !/^\d+$/.test(index)) throw new ParamError(`extract --shards ${shards} needs the shard index: pass --shard k/${shards} or set JOB_COMPLETION_INDEX`);
  return checked(Number(index), Number(shards), 'JOB_COMPLETION_INDEX');
}

function checked(index: number, count: number, source: string): Shard {
  if (!Number.isInteger(count) || count < 1 || index >= count) throw new ParamError(`extract ${source}: shard ${index} of ${count} is out of range (need 0 ≤ k < N, N ≥ 1)`);
  return { index, count };
}

/** The shard an image belongs to: from its content hash, so a file keeps its shard wherever it moves. */
export function shardOf(sha256: string, count: number): number {
  return Number.parseInt(sha256.slice(0, 8), 16) % count;
}
