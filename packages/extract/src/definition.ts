import { artifactPath, DatasetError, loadOnFirstRun, moduleDir, paramsFromArgv, type StageDefinition } from '@graft/core/base';
import { splitStage } from '@graft/split/spec';
import { extractStage } from './spec.js';
import { parseShard } from './shard.js';
import { flushEveryOption } from './flush-option.js';

/** The extract stage: declaration, implementation and the folder of its code, plus sharding. */
export const extractDefinition: StageDefinition<typeof extractStage> = {
  spec: extractStage,
  run: loadOnFirstRun(async () => (await import('./run.js')).runExtract),
  codeDirs: [moduleDir(import.meta.url)],
  executionOptions: {
    shard: { type: 'string', describe: 'Compute only shard k of N (k/N, k from 0) into the shared feature cache; writes no stage output', group: 'scaling out:' },
    shards: { type: 'string', describe: 'Number of shards N, with the shard index k taken from $JOB_COMPLETION_INDEX (Kubernetes Indexed Job)', group: 'scaling out:' },
    merge: { type: 'boolean', describe: 'Build the bottleneck table from the shards\' features; fail (naming the shards) if any image is missing', group: 'scaling out:' },
    flushEvery: { type: 'number', describe: 'Persist computed features to the cache every n images (default 256; also every 20 s): an interrupted run loses at most these' },
  },
  intercept: async (argv, folders) => {
    const shard = parseShard(argv.shard, argv.merge ? undefined : argv.shards);
    if (!shard) return undefined;
    if (!folders.data) throw new DatasetError('extract --shard needs the dataset folder: pass --data <folder>');
    const params = paramsFromArgv(extractStage, argv, folders.paramsDir);
    const { runExtractShard } = await import('./run.js');
    const summary = await runExtractShard(shard, params, artifactPath(folders.out, 'split', splitStage.outputs.manifest), { source: folders.data, target: folders.target }, folders.out, Boolean(argv.quiet), flushEveryOption(argv.flushEvery));
    return { skipped: false, summary };
  },
};
