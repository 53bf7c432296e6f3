import type { CommandModule } from 'yargs';
import type { StageDefinition, StageSpec } from '@graft/core/base';
import { ALL_STAGES } from '../stages.js';
import { runCommand } from './run-command.js';
import { stageCommand } from './stage-command.js';
import { statusCommand } from './status-command.js';
import { inspectCommand } from './inspect-command.js';
import { backbonesCommand } from './backbones-command.js';
import { turboConfigCommand } from './turbo-config-command.js';
import { predictCommand } from './predict-command.js';

/** Every `graft` command, in the order `graft --help` lists them. */
export const COMMANDS: readonly CommandModule[] = [
  runCommand,
  ...ALL_STAGES.map((definition) => stageCommand(definition as StageDefinition<StageSpec>)),
  predictCommand as CommandModule,
  statusCommand,
  inspectCommand,
  backbonesCommand,
  turboConfigCommand,
];
