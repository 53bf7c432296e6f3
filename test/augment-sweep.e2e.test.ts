import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graft } from './helpers/graft-cli.js';
import { duckdb } from './helpers/duckdb.js';
import { DEMO, runDemoPipeline } from './helpers/demo-pipeline.js';

const DISTORTIONS = ['--flip-left-right', '--random-crop', '10', '--random-scale', '10', '--random-brightness', '10'];
const SWEEP = ['--sweep', 'lr=0.01,0.1', 'hidden=0,16', '--optimizer', 'sgd', '--steps', '300'];

const cosine = (a: number[], b: number[]) => {
  let [dot, na, nb] = [0, 0, 0];
  a.forEach((x, i) => ((dot += x * b[i]!), (na += x * x), (nb += b[i]! * b[i]!)));
  return dot / Math.sqrt(na * nb);
};

describe('augmentation (extract) and a sweep (train) on the demo data', () => {
  let out: string;
  let summary: Record<string, Record<string, unknown>>;
  let trainImages: number;
  beforeAll(async () => {
    ({ out, summary } = await runDemoPipeline(['--augment-copies', '2', ...DISTORTIONS, ...SWEEP]));
    trainImages = summary.split!.train as number;
  });

  it('writes 2 distorted copies of every train-split image and none of validation or test', async () => {
    const [counts] = await duckdb(`
      select count(*)::INTEGER as copies, count(distinct a.path)::INTEGER as images, min(len(a.feature))::INTEGER as dim,
             count(*) filter (where m.split = 'train')::INTEGER as of_train, count(distinct copy_index)::INTEGER as copy_indices
      from '${join(out, 'extract', 'augmented.parquet')}' a join '${join(out, 'split', 'manifest.parquet')}' m using (path)`);
    expect(counts).toEqual({ copies: 2 * trainImages, images: trainImages, dim: 1280, of_train: 2 * trainImages, copy_indices: 2 });
    const distortions = (await duckdb(`select distortion from '${join(out, 'extract', 'augmented.parquet')}'`)).map((r) => JSON.parse(String(r.distortion)));
    expect(Object.keys(distortions[0]).sort()).toEqual(['brightness', 'cropX', 'cropY', 'flip', 'scale']);
    expect(distortions.filter((d) => d.flip).length / distortions.length).toBeGreaterThan(0.3);
    expect(Math.min(...distortions.map((d) => d.scale))).toBeGreaterThanOrEqual(1.1);
    expect(summary.extract).toMatchObject({ augmentedCopies: 2 * trainImages, augmentedComputed: 2 * trainImages });
  });

  it('distorted features differ from the original\'s but stay nearer to it than to other images', async () => {
    const rows = await duckdb(`
      select a.feature as copy, b.feature as original, (select feature from '${join(out, 'extract', 'bottlenecks.parquet')}' o where o.class_name != a.class_name order by o.path limit 1) as other
      from '${join(out, 'extract', 'augmented.parquet')}' a join '${join(out, 'extract', 'bottlenecks.parquet')}' b using (path) order by a.path, a.copy_index limit 60`);
    const own = rows.map((r) => cosine(r.copy as number[], r.original as number[]));
    const other = rows.map((r) => cosine(r.copy as number[], r.other as number[]));
    expect(Math.max(...own)).toBeLessThan(0.99999);
    expect(own.reduce((a, b) => a + b) / own.length).toBeGreaterThan(other.reduce((a, b) => a + b) / other.length + 0.05);
  });

  it('train adds the copies to the train split only', () => {
    expect(summary.train).toMatchObject({ trainImages, augmentedImages: 2 * trainImages });
    const provenance = JSON.parse(readFileSync(join(out, 'train', 'provenance.json'), 'utf8'));
    expect(provenance.augmentedCopiesUsed).toBe(2 * trainImages);
  });

  it('more copies reuse the cached ones: only the new copy index is computed, and going back gives the same rows', async () => {
    const again = mkdtempSync(join(tmpdir(), 'graft-augment-'));
    cpSync(out, again, { recursive: true });
    const three = await graft(['extract', '--data', DEMO, '--out', again, '--json', '--quiet', '--backbone', 'mobilenet_v2', '--augment-copies', '3', ...DISTORTIONS]);
    expect(three.code, three.stderr).toBe(0);
    expect(JSON.parse(three.stdout)).toMatchObject({ computed: 0, augmentedCopies: 3 * trainImages, augmentedComputed: trainImages });
    const two = await graft(['extract', '--data', DEMO, '--out', again, '--json', '--quiet', '--backbone', 'mobilenet_v2', '--augment-copies', '2', ...DISTORTIONS]);
    expect(JSON.parse(two.stdout)).toMatchObject({ augmentedComputed: 0 });
    const rows = (folder: string) => `select path, copy_index, distortion, feature from '${join(folder, 'extract', 'augmented.parquet')}'`;
    const [difference] = await duckdb(`select count(*)::INTEGER as n from ((${rows(again)} except all ${rows(out)}) union all (${rows(out)} except all ${rows(again)}))`);
    expect(difference).toEqual({ n: 0 });
  });

  it('a sweep records every run in one metrics table and keeps the run with the best validation accuracy', async () => {
    const runs = await duckdb(`
      select run, settings, bool_or(chosen) as chosen, arg_max(validation_accuracy, step) as final_accuracy, count(*)::INTEGER as points
      from '${join(out, 'train', 'metrics.parquet')}' group by run, settings order by run`);
    expect(runs.map((r) => r.settings)).toEqual(['learning-rate=0.01 hidden-units=0', 'learning-rate=0.01 hidden-units=16', 'learning-rate=0.1 hidden-units=0', 'learning-rate=0.1 hidden-units=16']);
    expect(runs.every((r) => r.points === 3)).toBe(true);
    const chosen = runs.filter((r) => r.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0]!.final_accuracy).toBe(Math.max(...runs.map((r) => r.final_accuracy as number)));
    const provenance = JSON.parse(readFileSync(join(out, 'train', 'provenance.json'), 'utf8'));
    expect(provenance.sweep.chosen).toEqual({ run: chosen[0]!.run, settings: chosen[0]!.settings });
    expect(provenance.sweep.runs).toHaveLength(4);
    const hiddenUnits = Number(/hidden-units=(\d+)/.exec(String(chosen[0]!.settings))![1]);
    expect(provenance.trainedWith).toMatchObject({ hiddenUnits, learningRate: /learning-rate=([\d.]+)/.exec(String(chosen[0]!.settings))![1], steps: 300 });
    expect(provenance.head.hiddenUnits).toBe(hiddenUnits);
    const [evaluated] = await duckdb(`select count(*)::INTEGER as n from '${join(out, 'evaluate', 'predictions.parquet')}'`);
    expect(evaluated).toEqual({ n: 274 });
  });
});
