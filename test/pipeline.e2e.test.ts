import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@graft/core';
import { readBottlenecks } from '@graft/extract';
import { graft } from './helpers/graft-cli.js';
import { duckdb } from './helpers/duckdb.js';
import { REPO_ROOT } from './helpers/project-copy.js';

const DEMO = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');
/**
 * Test-accuracy floor on the demo data. Measured with the bundled backbones: 64–73 % on this split (N=33),
 * 68–73 % in 5-fold cross-validation (README, "Backbones");
 * chance is ~20 %, and shuffled labels stay far below (checked below).
 */
const ACCURACY_FLOOR = 0.45;

const artifactFiles = (out: string) =>
  ['split', 'extract', 'train', 'evaluate', 'export'].flatMap((stage) => readdirSync(join(out, stage), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(out.length + 1)));

describe('graft run on the demo data with a real pretrained backbone', () => {
  let out: string;
  let summary: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'graft-e2e-'));
    const result = await graft(['run', '--data', DEMO, '--out', out, '--json']);
    expect(result.stderr).toContain('extract: engine');
    expect(result.code, result.stderr).toBe(0);
    summary = JSON.parse(result.stdout);
  });

  it('reaches the measured accuracy floor on the held-out test split', () => {
    expect(summary.evaluate!.count).toBe(33);
    expect(summary.evaluate!.accuracy as number).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
    expect(summary.extract!.engine).toMatch(/^(onnxruntime|tfjs-node|tfjs-wasm)$/);
  });

  it('writes every artifact so that DuckDB reads it with the declared types', async () => {
    const types = async (file: string) => Object.fromEntries((await duckdb(`describe select * from '${join(out, file)}'`)).map((c) => [c.column_name, c.column_type]));
    const featureDim = summary.extract!.featureDim as number;
    expect(await types('split/manifest.parquet')).toMatchObject({ path: 'VARCHAR', class_name: 'VARCHAR', class_index: 'INTEGER', split: 'VARCHAR', sha256: 'VARCHAR', bytes: 'BIGINT', format: 'VARCHAR' });
    expect(await types('split/classes.parquet')).toMatchObject({ class_index: 'INTEGER', class_name: 'VARCHAR', images: 'INTEGER' });
    expect(await types('split/rejected.parquet')).toMatchObject({ path: 'VARCHAR', reason: 'VARCHAR' });
    expect(await types('extract/bottlenecks.parquet')).toMatchObject({ path: 'VARCHAR', class_index: 'INTEGER', feature: 'FLOAT[]' });
    expect(await types('train/head.parquet')).toMatchObject({ class_index: 'INTEGER', class_name: 'VARCHAR', weights: 'FLOAT[]', bias: 'FLOAT' });
    expect(await types('train/metrics.parquet')).toMatchObject({ step: 'INTEGER', loss: 'DOUBLE', train_accuracy: 'DOUBLE', validation_accuracy: 'DOUBLE' });
    expect(await types('evaluate/predictions.parquet')).toMatchObject({ path: 'VARCHAR', predicted_index: 'INTEGER', confidence: 'FLOAT', correct: 'BOOLEAN', probabilities: 'FLOAT[]' });
    const [lengths] = await duckdb(`select min(len(feature))::INTEGER as shortest, max(len(feature))::INTEGER as longest from '${join(out, 'extract', 'bottlenecks.parquet')}'`);
    expect(lengths).toEqual({ shortest: featureDim, longest: featureDim });
  });

  it('DuckDB and Graft read the same values', async () => {
    const bottlenecks = await readBottlenecks(join(out, 'extract', 'bottlenecks.parquet'));
    const featureDim = bottlenecks.featureDim;
    const [row] = await duckdb(`select path, feature from '${join(out, 'extract', 'bottlenecks.parquet')}' where path = '${bottlenecks.rows[100]!.path}'`);
    expect(Float32Array.from(row!.feature as number[])).toEqual(bottlenecks.features.subarray(100 * featureDim, 101 * featureDim));
    const [counts] = await duckdb(`select count(*)::INTEGER as n, count(distinct class_index)::INTEGER as classes from '${join(out, 'split', 'manifest.parquet')}'`);
    expect(counts).toEqual({ n: 274, classes: 5 });
    const [accuracy] = await duckdb(`select avg(correct::INTEGER) as accuracy, count(*)::INTEGER as n from '${join(out, 'evaluate', 'predictions.parquet')}' where split = 'test'`);
    expect(accuracy!.accuracy).toBeCloseTo(summary.evaluate!.accuracy as number, 10);
    const report = JSON.parse(readFileSync(join(out, 'evaluate', 'report.json'), 'utf8'));
    expect(report.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(33);
    const [provenance] = await duckdb(`select decode(value) as value from parquet_kv_metadata('${join(out, 'extract', 'bottlenecks.parquet')}') where key = 'graft'`);
    expect(JSON.parse(String(provenance!.value)).provenance.engines).toEqual({ [summary.extract!.engine as string]: 274 });
  });

  it('is deterministic: the same inputs and seed give byte-identical artifacts', async () => {
    const second = mkdtempSync(join(tmpdir(), 'graft-e2e-'));
    cpSync(join(out, 'cache', 'onnx'), join(second, 'cache', 'onnx'), { recursive: true });
    const result = await graft(['run', '--data', DEMO, '--out', second, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const files = artifactFiles(out);
    expect(artifactFiles(second)).toEqual(files);
    for (const file of files) expect(readFileSync(join(second, file)).equals(readFileSync(join(out, file))), file).toBe(true);
  }, 600_000);

  it('a broken pipeline (labels shuffled across classes) falls below the floor', async () => {
    const shuffled = mkdtempSync(join(tmpdir(), 'graft-shuffled-'));
    const classes = readdirSync(DEMO).sort();
    const files = classes.flatMap((c) => readdirSync(join(DEMO, c)).sort().map((f) => join(c, f)));
    const random = new SeededRandom(7);
    for (const c of classes) mkdirSync(join(shuffled, c));
    for (const file of files) cpSync(join(DEMO, file), join(shuffled, classes[random.int(classes.length)]!, file.replace('/', '_')));
    const brokenOut = mkdtempSync(join(tmpdir(), 'graft-e2e-'));
    cpSync(join(out, 'cache'), join(brokenOut, 'cache'), { recursive: true }); // same images: features come from the cache
    const result = await graft(['run', '--data', shuffled, '--out', brokenOut, '--json', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const broken = JSON.parse(result.stdout);
    expect(broken.extract.computed).toBe(0);
    expect(broken.evaluate.accuracy).toBeLessThan(ACCURACY_FLOOR);
  });
});
