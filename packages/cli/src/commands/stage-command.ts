import type { CommandModule } from 'yargs';
import { addCommonOptions, CORE_CODE_DIR, printOutcome, runStageFromArgv, stageParamOptions, type CommonOptions, type StageDefinition, type StageSpec } from '@graft/core';

/** `graft <stage>`: one stage, with options derived from its declaration. */
export function stageCommand(definition: StageDefinition<StageSpec>): CommandModule {
  const { spec } = definition;
  return {
    command: spec.name,
    describe: spec.description,
    builder: (yargs) => addCommonOptions(yargs).options(stageParamOptions(spec)),
    handler: async (argv) => {
      const outcome = await runStageFromArgv(spec, definition.run, argv as CommonOptions & Record<string, unknown>, [...definition.codeDirs, CORE_CODE_DIR]);
      printOutcome(spec.name, outcome, argv as CommonOptions);
    },
  };
}
