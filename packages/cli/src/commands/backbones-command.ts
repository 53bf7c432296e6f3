import type { CommandModule } from 'yargs';
import { addOutputOptions } from '@graft/core';
import { BUNDLED_BACKBONES } from '@graft/extract';

/** `graft backbones`: the bundled backbones and what they are. */
export const backbonesCommand: CommandModule = {
  command: 'backbones',
  describe: 'List the bundled pretrained backbones (input size, feature dimension, layer, licence).',
  builder: (yargs) => addOutputOptions(yargs),
  handler: (argv) => {
    const rows = Object.entries(BUNDLED_BACKBONES).map(([id, b]) => ({ id, inputSize: b.inputSize, featureDim: b.featureDim, layer: b.layer, weights: b.weights, description: b.description, licence: b.licence }));
    if (argv.json) {
      process.stdout.write(`${JSON.stringify(rows)}\n`);
      return;
    }
    for (const row of rows) process.stdout.write(`${row.id.padEnd(22)} ${String(row.inputSize).padStart(4)} px  ${String(row.featureDim).padStart(5)}-d  layer ${row.layer.padEnd(10)} ${row.description}\n${''.padEnd(23)}licence: ${row.licence}\n`);
  },
};
