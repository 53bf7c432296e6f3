/**
 * Test accuracy of Graft's training options on one dataset, with run times: retrain.py's head
 * (raw features, SGD), the defaults, a hidden layer, a sweep, and augmentation — each through the
 * `graft` CLI, as a user runs it, one artifacts folder, stages reused where their inputs did not change.
 *
 *   node bench/dist/accuracy-runs.js --data <folder> --out <artifacts> [--backbone mobilenet_v2]
 *     [--test-pattern /test-] [--sweep "hidden=0,128,256"]
 *     [--hidden="--hidden-units 256"] [--augment="--augment-copies 2 --flip-left-right …"]
 *     [--configs retrain-py,defaults,hidden,sweep,augmented]
 *
 * Prints one JSON line per step and a Markdown table at the end. Times are wall-clock seconds of
 * each `graft` process (startup included) on whatever else the machine is doing.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    backbone: { type: 'string', default: 'mobilenet_v2' },
    'test-pattern': { type: 'string', default: '' },
    sweep: { type: 'string', default: 'hidden=0,128,256' },
    hidden: { type: 'string', default: '--hidden-units 256' },
    augment: { type: 'string', default: '--augment-copies 2 --flip-left-right --random-crop 10 --random-scale 10 --random-brightness 10' },
    configs: { type: 'string', default: 'retrain-py,defaults,hidden,sweep,augmented' },
  },
});
if (!values.data || !values.out) throw new Error('pass --data <image folder> and --out <artifacts folder>');
const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'packages', 'cli', 'dist', 'main.js');
const [data, out] = [resolve(values.data), resolve(values.out)];
const words = (text: string) => text.split(/\s+/).filter(Boolean);

async function graft(stage: string, args: string[]): Promise<{ seconds: number; summary: Record<string, unknown>; command: string }> {
  const all = [stage, '--out', out, '--json', '--quiet', ...(['split', 'extract'].includes(stage) ? ['--data', data] : []), ...args];
  const started = performance.now();
  const { stdout } = await run(process.execPath, [cli, ...all], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const result = { seconds: Number(((performance.now() - started) / 1000).toFixed(1)), summary: JSON.parse(stdout) as Record<string, unknown>, command: `graft ${all.join(' ')}` };
  process.stdout.write(`${JSON.stringify({ stage, seconds: result.seconds, command: result.command, summary: result.summary })}\n`);
  return result;
}

const extractArgs = ['--backbone', values.backbone!];
const rows: { config: string; train: string; accuracy: number; count: number; extractSeconds: number; trainSeconds: number; evaluateSeconds: number; note: string }[] = [];
const split = await graft('split', values['test-pattern'] ? ['--test-pattern', values['test-pattern']] : []);
const baseExtract = await graft('extract', extractArgs);
for (const config of values.configs!.split(',')) {
  const augmented = config === 'augmented';
  const extract = augmented ? await graft('extract', [...extractArgs, ...words(values.augment!)]) : await graft('extract', extractArgs);
  const trainArgs = config === 'retrain-py' ? ['--standardize', 'false', '--optimizer', 'sgd'] : config === 'hidden' ? words(values.hidden!) : config === 'sweep' ? ['--sweep', ...words(values.sweep!)] : [];
  const train = await graft('train', trainArgs);
  const evaluate = await graft('evaluate', []);
  const provenance = JSON.parse(readFileSync(join(out, 'train', 'provenance.json'), 'utf8'));
  rows.push({
    config,
    train: config === 'augmented' ? values.augment! : trainArgs.join(' ') || '(defaults)',
    accuracy: evaluate.summary.accuracy as number,
    count: evaluate.summary.count as number,
    // First extract of the base features is the real cost; later ones read the cache.
    extractSeconds: augmented ? extract.seconds : baseExtract.seconds,
    trainSeconds: train.seconds,
    evaluateSeconds: evaluate.seconds,
    note: provenance.sweep ? `chosen: ${provenance.sweep.chosen.settings} (validation ${(100 * (provenance.sweep.runs[provenance.sweep.chosen.run].validationAccuracy as number)).toFixed(1)}%)` : '',
  });
}
process.stdout.write(`\nsplit: ${JSON.stringify(split.summary)} (${split.seconds}s)\n\n| config | settings | test accuracy | N | extract s | train s | evaluate s | note |\n|---|---|---|---|---|---|---|---|\n`);
for (const r of rows) process.stdout.write(`| ${r.config} | \`${r.train}\` | ${(100 * r.accuracy).toFixed(2)} % | ${r.count} | ${r.extractSeconds} | ${r.trainSeconds} | ${r.evaluateSeconds} | ${r.note} |\n`);
