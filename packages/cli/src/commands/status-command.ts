import type { CommandModule } from 'yargs';
import { addFolderOptions, addOutputOptions, resolveFolders, stageParamOptions, type CommonOptions } from '@graft/core/base';
import { PIPELINE } from '../stages.js';

/** `graft status`: which stages are up to date, and why the others are not. */
export const statusCommand: CommandModule = {
  command: 'status',
  describe: 'Tell which stages are up to date and, for the others, why (params, inputs, code or data changed; outputs missing).',
  builder: (yargs) => {
    let builder = addOutputOptions(addFolderOptions(yargs));
    for (const { spec } of PIPELINE) builder = builder.options(stageParamOptions(spec));
    return builder;
  },
  handler: async (argv) => {
    const options = argv as CommonOptions & Record<string, unknown>;
    const folders = resolveFolders(options);
    // Reading artifacts (Arrow, Parquet) and hashing the data load here, not at start-up.
    const { pipelineStatus } = await import('../status.js');
    const stages = await pipelineStatus(PIPELINE, { ...folders, argv: options, quiet: Boolean(options.quiet) });
    const upToDate = stages.every((s) => s.upToDate);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ out: folders.out, upToDate, stages })}\n`);
      return;
    }
    const width = Math.max(...stages.map((s) => s.stage.length));
    for (const status of stages) {
      const headline = typeof status.summary?.headline === 'string' ? ` — ${status.summary.headline}` : '';
      process.stdout.write(`${status.stage.padEnd(width)}  ${status.upToDate ? `up to date${headline}` : `not up to date: ${status.reason}`}\n`);
    }
  },
};
