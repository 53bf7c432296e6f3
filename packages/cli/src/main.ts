#!/usr/bin/env node
import yargs from 'yargs';
import { exitOnError, usageFailure, type StageSpec, type StageDefinition } from '@graft/core';
import { PIPELINE } from './stages.js';
import { stageCommand } from './commands/stage-command.js';
import { runCommand } from './commands/run-command.js';
import { backbonesCommand } from './commands/backbones-command.js';
import { turboConfigCommand } from './commands/turbo-config-command.js';

// `graft … | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await exitOnError(async () => {
  let cli = yargs(process.argv.slice(2))
    .scriptName('graft')
    .usage('$0 <command> [options]\n\nTeach a pretrained image network a new job: split → extract → train → evaluate, each stage cached.')
    .command(runCommand);
  for (const definition of PIPELINE) cli = cli.command(stageCommand(definition as StageDefinition<StageSpec>));
  await cli
    .command(backbonesCommand)
    .command(turboConfigCommand)
    .demandCommand(1, 'Name a command: run, split, extract, similarity, train, adapt, evaluate, backbones (see --help)')
    .recommendCommands()
    .strict()
    .fail(usageFailure)
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .parseAsync();
});
