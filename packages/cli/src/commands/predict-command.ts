import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { cacheDir, cpuCount, loadProject, ParamError, stageDir } from '@graft/core/base';
import { PREDICT_ENGINES } from '@graft/export/spec';
import type { PredictResult } from '@graft/export';

interface PredictArgs {
  readonly paths: string[];
  readonly out?: string;
  readonly model?: string;
  readonly engine: string;
  readonly topK: number;
  readonly batchSize: number;
  readonly threads: number;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** `graft predict <files or folders>`: top-k classes of images with the exported model. */
export const predictCommand: CommandModule<object, PredictArgs> = {
  command: 'predict <paths..>',
  describe: 'Classify image files and folders with the exported model: top-k labels with probabilities (unreadable files are reported, not fatal).',
  builder: (yargs) =>
    yargs
      .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'Image files and folders (searched recursively)' })
      .option('out', { type: 'string', describe: 'Artifacts folder (default: "out" of graft.config.json, else ./artifacts): the model is <out>/export/model' })
      .option('model', { type: 'string', describe: 'Folder of an exported model (model.json, weights.bin, metadata.json) instead of <out>/export/model' })
      .option('engine', { type: 'string', default: 'auto', describe: `Backbone engine [choices: ${PREDICT_ENGINES.join(', ')}]: auto = onnxruntime (cached ONNX export of the backbone) if it runs, else the exported tfjs model` })
      .option('top-k', { type: 'number', default: 3, describe: 'Labels per image' })
      .option('batch-size', { type: 'number', default: 16, describe: 'Images per inference call' })
      .option('threads', { type: 'number', default: 0, describe: 'onnxruntime threads; 0 = one per CPU core' })
      .option('json', { type: 'boolean', describe: 'Print one JSON object: engine, labels, and per input its predictions or error' })
      .option('quiet', { type: 'boolean', describe: 'No log lines on stderr' })
      .option('verbose', { type: 'boolean', describe: 'Show stack traces of errors' }) as never,
  handler: async (argv) => {
    for (const [flag, value] of [['top-k', argv.topK], ['batch-size', argv.batchSize]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new ParamError(`predict --${flag} must be a positive integer, got ${value}`);
    }
    if (!Number.isInteger(argv.threads) || argv.threads < 0) throw new ParamError(`predict --threads must be 0 or a positive integer, got ${argv.threads}`);
    const out = argv.out !== undefined ? resolve(argv.out) : loadProject().out;
    // The inference engines load here, not at start-up.
    const { classifyImages } = await import('@graft/export');
    const result = await classifyImages(argv.paths, {
      modelDir: argv.model !== undefined ? resolve(argv.model) : join(stageDir(out, 'export'), 'model'),
      engine: argv.engine,
      onnxCacheDir: join(cacheDir(out), 'onnx'),
      topK: argv.topK,
      batchSize: argv.batchSize,
      threads: argv.threads || cpuCount(),
      log: (message) => {
        if (!argv.quiet) process.stderr.write(`${message}\n`);
      },
    });
    process.stdout.write(argv.json ? `${JSON.stringify(result)}\n` : formatTable(result));
  },
};

/** One line per input: path, then `label probability%` for each of the top k, or the error. */
export function formatTable(result: PredictResult): string {
  const width = Math.max(4, ...result.results.map((r) => r.path.length));
  const lines = result.results.map((r) =>
    'error' in r ? `${r.path.padEnd(width)}  error: ${r.error}` : `${r.path.padEnd(width)}  ${r.predictions.map((p) => `${p.label} ${(100 * p.probability).toFixed(1)}%`).join('  ')}`,
  );
  return `${lines.join('\n')}\n`;
}
