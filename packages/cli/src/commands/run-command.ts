import type { CommandModule } from 'yargs';
import { addCommonOptions, runStageFromArgv, stageParamOptions, type CommonOptions, type StageOutcome } from '@graft/core/base';
import { PIPELINE } from '../stages.js';

/** `graft run`: every stage in order, with the same --data / --out and every stage's params. */
export const runCommand: CommandModule = {
  command: 'run',
  describe: 'Run split → extract → train → doctor → evaluate → export (stages whose inputs did not change are skipped); with --target also similarity and domain adaptation.',
  builder: (yargs) => {
    let builder = addCommonOptions(yargs);
    for (const { spec } of PIPELINE) builder = builder.options(stageParamOptions(spec));
    return builder;
  },
  handler: async (argv) => {
    const options = argv as CommonOptions & Record<string, unknown>;
    const outcomes: Record<string, StageOutcome> = {};
    for (const definition of PIPELINE) {
      outcomes[definition.spec.name] = await runStageFromArgv(definition, options);
    }
    if (options.json) {
      const summary = Object.fromEntries(Object.entries(outcomes).map(([stage, outcome]) => [stage, { skipped: outcome.skipped, ...outcome.summary }]));
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      for (const stage of Object.keys(outcomes)) {
        const headline = outcomes[stage]!.summary.headline;
        if (typeof headline === 'string' && stage !== 'evaluate') process.stdout.write(`${headline}\n`);
      }
      const headline = outcomes.evaluate?.summary.headline;
      if (typeof headline === 'string') process.stdout.write(`${headline}\n`);
    }
  },
};
