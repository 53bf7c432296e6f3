import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { addOutputOptions } from '@graft/core/base';
import { extractStage } from '@graft/extract/spec';
import { BACKBONES, measuredAccuracies, pinnedFilePath, type Backbone } from '@graft/extract/backbones';

/** Whether a backbone's weights are here: bundled ones always; downloaded ones once cached. */
function availability(backbone: Backbone): string {
  if (backbone.kind === 'bundled') return 'bundled (offline)';
  if (existsSync(pinnedFilePath(backbone))) return 'downloaded (in the model cache)';
  return process.env.GRAFT_MODEL_MIRROR ? `not downloaded yet (GRAFT_MODEL_MIRROR=${process.env.GRAFT_MODEL_MIRROR} will serve it)` : `not downloaded yet: fetched on first use from ${backbone.url}`;
}

/** `graft backbones`: the named backbones and what they are. */
export const backbonesCommand: CommandModule = {
  command: 'backbones',
  describe: 'List the named pretrained backbones (input size, feature dimension, layer, source, licence, whether available offline, measured accuracy).',
  builder: (yargs) => addOutputOptions(yargs),
  handler: (argv) => {
    const measured = measuredAccuracies();
    const rows = Object.entries(BACKBONES).map(([id, entry]) => {
      const b = entry as Backbone;
      return {
        id, default: id === extractStage.params.backbone.default, inputSize: b.inputSize, featureDim: b.featureDim, layer: b.layer, source: b.source, availability: availability(b), description: b.description, licence: b.licence,
        accuracy: Object.fromEntries(measured.results.filter((r) => r.backbone === id).map((r) => [r.dataset, { mean: r.cvAccuracy, sd: r.cvAccuracySd, folds: r.folds }])),
      };
    });
    if (argv.json) {
      process.stdout.write(`${JSON.stringify(rows)}\n`);
      return;
    }
    for (const row of rows) {
      const accuracy = Object.entries(row.accuracy).map(([dataset, a]) => `${dataset} ${(100 * a.mean).toFixed(1)}${a.sd ? ` ± ${(100 * a.sd).toFixed(1)}` : ''} %`).join(', ');
      process.stdout.write(`${row.id}${row.default ? ' (default)' : ''}\n  ${row.inputSize} px, ${row.featureDim}-d features from ${row.layer}: ${row.description}\n  accuracy: ${accuracy || 'not measured'}\n  source: ${row.source}; ${row.availability}\n  licence: ${row.licence}\n`);
    }
    if (measured.command) process.stdout.write(`\naccuracy: ${measured.method}; reproduce with \`${measured.command}\`\n`);
  },
};
