import type { CommandModule } from 'yargs';
import { addCommonOptions, printOutcome, runStageFromArgv, stageParamOptions, type CommonOptions, type StageDefinition, type StageSpec } from '@graft/core/base';

/** `graft <stage>`: one stage, with options derived from its declaration. */
export function stageCommand(definition: StageDefinition<StageSpec>): CommandModule {
  const { spec } = definition;
  return {
    command: spec.name,
    describe: spec.description,
    builder: (yargs) => addCommonOptions(yargs).options(stageParamOptions(spec)).options(definition.executionOptions ?? {}),
    handler: async (argv) => {
      printOutcome(spec.name, await runStageFromArgv(definition, argv as CommonOptions & Record<string, unknown>), argv as CommonOptions);
    },
  };
}
