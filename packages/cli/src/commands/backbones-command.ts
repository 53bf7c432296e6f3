import type { CommandModule } from 'yargs';
import { addOutputOptions } from '@graft/core';
import { BUNDLED_BACKBONES, extractStage, measuredAccuracies } from '@graft/extract';

/** `graft backbones`: the bundled backbones and what they are. */
export const backbonesCommand: CommandModule = {
  command: 'backbones',
  describe: 'List the bundled pretrained backbones (input size, feature dimension, layer, licence, measured demo accuracy).',
  builder: (yargs) => addOutputOptions(yargs),
  handler: (argv) => {
    const measured = measuredAccuracies();
    const rows = Object.entries(BUNDLED_BACKBONES).map(([id, b]) => ({
      id, default: id === extractStage.params.backbone.default, inputSize: b.inputSize, featureDim: b.featureDim, layer: b.layer, weights: b.weights, source: 'npm package nsfwjs (bundled weights)', description: b.description, licence: b.licence,
      demoAccuracy: Object.fromEntries(measured.results.filter((r) => r.backbone === id).map((r) => [r.dataset, { mean: r.cvAccuracy, sd: r.cvAccuracySd, folds: r.folds }])),
    }));
    if (argv.json) {
      process.stdout.write(`${JSON.stringify(rows)}\n`);
      return;
    }
    for (const row of rows) {
      const accuracy = Object.entries(row.demoAccuracy).map(([dataset, a]) => `${dataset} ${(100 * a.mean).toFixed(1)} ± ${(100 * a.sd).toFixed(1)} %`).join(', ');
      process.stdout.write(`${row.id}${row.default ? ' (default)' : ''}\n  ${row.inputSize} px, ${row.featureDim}-d features from layer ${row.layer}: ${row.description}\n  demo accuracy: ${accuracy || 'not measured'}\n  source: ${row.source}; licence: ${row.licence}\n`);
    }
    if (measured.command) process.stdout.write(`\ndemo accuracy: ${measured.method}; reproduce with \`${measured.command}\`\n`);
  },
};
