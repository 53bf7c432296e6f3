import type { CommandModule } from 'yargs';
import { addOutputOptions, resolveFolders, ParamError } from '@graft/core/base';
import { ALL_STAGES } from '../stages.js';
import { resolveArtifact } from '../inspect/resolve-artifact.js';
import { describeArtifact } from '../inspect/describe-artifact.js';
import { formatDescription } from '../inspect/format-description.js';

/** `graft inspect <artifact>`: schema, row count, provenance and first rows of any Graft artifact. */
export const inspectCommand: CommandModule = {
  command: 'inspect <artifact>',
  describe: 'Print the schema, row count, provenance and first rows of an artifact (a path, train/metrics.parquet, an output name such as bottlenecks, or a stage).',
  builder: (yargs) =>
    addOutputOptions(yargs)
      .positional('artifact', { type: 'string', describe: 'A file or folder, a path inside --out, an output name (manifest, bottlenecks, metrics, predictions, …) or a stage name' })
      .option('out', { type: 'string', describe: 'Artifacts folder (default: "out" of graft.config.json, else ./artifacts)' })
      .option('rows', { type: 'number', default: 5, describe: 'How many first rows (or lines) to show' }),
  handler: async (argv) => {
    const rows = Number(argv.rows);
    if (!Number.isInteger(rows) || rows < 0) throw new ParamError(`inspect --rows must be a whole number ≥ 0, got ${JSON.stringify(argv.rows)}`);
    const { out } = resolveFolders({ out: argv.out as string | undefined });
    const path = resolveArtifact(String(argv.artifact), out, ALL_STAGES);
    const description = await describeArtifact(path, rows);
    process.stdout.write(argv.json ? `${JSON.stringify(description)}\n` : `${formatDescription(description)}\n`);
  },
};
