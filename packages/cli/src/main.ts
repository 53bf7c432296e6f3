#!/usr/bin/env node
import yargs from 'yargs';
import { exitOnError, GRAFT_VERSION, usageFailure } from '@graft/core/base';
import { COMMANDS } from './commands/index.js';

// `graft … | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await exitOnError(async () => {
  let cli = yargs(process.argv.slice(2))
    .scriptName('graft')
    .usage('$0 <command> [options]\n\nTeach a pretrained image network a new job: split → extract → train → doctor → evaluate → export, each stage cached.');
  for (const command of COMMANDS) cli = cli.command(command);
  await cli
    .demandCommand(1, `Name a command: ${COMMANDS.map((c) => String(c.command).split(' ')[0]).join(', ')} (see --help)`)
    .recommendCommands()
    .strict()
    .fail(usageFailure)
    .help()
    .alias('h', 'help')
    .version(GRAFT_VERSION)
    .alias('v', 'version')
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .parseAsync();
});
