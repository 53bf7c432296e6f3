import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@graft/core';
import { decodeInto } from '@graft/extract';
import { readExportMetadata } from '@graft/export';
import { loadLayersModel, tf, useTfjsBackend } from '@graft/tf';
import { graft } from './helpers/graft-cli.js';
import { duckdb } from './helpers/duckdb.js';
import { DEMO, runDemoPipeline } from './helpers/demo-pipeline.js';

interface PredictionRow {
  path: string;
  predicted_name: string;
  probabilities: number[];
}

const testPredictions = async (out: string) =>
  (await duckdb(`select path, predicted_name, probabilities from '${join(out, 'evaluate', 'predictions.parquet')}' where split = 'test' order by path`)) as unknown as PredictionRow[];

/** Probabilities of the exported model on the test images, decoded as extract decodes them. */
async function exportedProbabilities(out: string, rows: readonly PredictionRow[]): Promise<Float32Array[]> {
  await useTfjsBackend();
  const folder = join(out, 'export', 'model');
  const metadata = await readExportMetadata(folder);
  const model = await loadLayersModel(join(folder, 'model.json'));
  const pixels = { ...metadata.preprocessing, scale: 1, offset: 0 };
  const size = pixels.size;
  const results: Float32Array[] = [];
  for (const row of rows) {
    const input = new Float32Array(size * size * 3);
    await decodeInto(await readFile(join(DEMO, row.path)), pixels, { maxPixels: 1e9 }, input, 0);
    results.push(tf.tidy(() => (model.predict(tf.tensor4d(input, [1, size, size, 3])) as tf.Tensor).dataSync() as Float32Array));
  }
  model.dispose();
  return results;
}

function maxAbsDifference(rows: readonly PredictionRow[], probabilities: readonly Float32Array[]): number {
  let max = 0;
  rows.forEach((row, i) => row.probabilities.forEach((p, c) => (max = Math.max(max, Math.abs(p - probabilities[i]![c]!)))));
  return max;
}

let out: string;
beforeAll(async () => {
  ({ out } = await runDemoPipeline());
});

describe('export: one tfjs model from pixels to probabilities', () => {
  it('gives the pipeline\'s probabilities on every test image (same decoding, float tolerance)', async () => {
    const rows = await testPredictions(out);
    expect(rows).toHaveLength(33);
    const probabilities = await exportedProbabilities(out, rows);
    // The pipeline's features come from onnxruntime, the export runs tfjs: they agree to ~1e-5.
    expect(maxAbsDifference(rows, probabilities)).toBeLessThan(1e-4);
    const labels = readFileSync(join(out, 'train', 'labels.txt'), 'utf8').trim().split('\n');
    rows.forEach((row, i) => expect(labels[probabilities[i]!.indexOf(Math.max(...probabilities[i]!))]).toBe(row.predicted_name));
  });

  it('writes metadata.json with labels, preprocessing, backbone and provenance', async () => {
    const metadata = await readExportMetadata(join(out, 'export', 'model'));
    expect(metadata.labels).toEqual(readFileSync(join(out, 'train', 'labels.txt'), 'utf8').trim().split('\n'));
    expect(metadata.input.shape).toEqual([null, 224, 224, 3]);
    expect(metadata.preprocessing).toMatchObject({ size: 224, kernel: 'lanczos3', fit: 'fill', background: [255, 255, 255], scale: 1 / 255, offset: 0 });
    expect(metadata.backbone).toMatchObject({ id: 'mobilenet_v2', layer: 'flatten_1', featureDim: 1280 });
    expect(metadata.provenance).toMatchObject({ stage: 'export', inputs: { 'train/model/model.json': sha256(readFileSync(join(out, 'train', 'model', 'model.json'))) } });
    expect(JSON.parse(readFileSync(join(out, 'export', 'provenance.json'), 'utf8')).key).toBe(metadata.provenance.key);
  });

  it('exports a head with a hidden layer as faithfully', async () => {
    const hidden = mkdtempSync(join(tmpdir(), 'graft-hidden-'));
    cpSync(out, hidden, { recursive: true });
    const trainFlags = ['--hidden-units', '32', '--dropout', '0.2', '--steps', '300', '--optimizer', 'adam', '--learning-rate', '0.001'];
    for (const args of [['train', ...trainFlags], ['evaluate'], ['export']]) {
      const result = await graft([...args, '--out', hidden, '--quiet']);
      expect(result.code, result.stderr).toBe(0);
    }
    const metadata = await readExportMetadata(join(hidden, 'export', 'model'));
    expect(metadata.head).toEqual({ featureDim: 1280, hiddenUnits: 32, hiddenActivation: 'relu', classCount: 5, standardized: true });
    const rows = await testPredictions(hidden);
    expect(maxAbsDifference(rows, await exportedProbabilities(hidden, rows))).toBeLessThan(1e-4);
  });
});

describe('graft predict', () => {
  let rows: PredictionRow[];
  let inputs: string;
  beforeAll(async () => {
    rows = await testPredictions(out);
    inputs = mkdtempSync(join(tmpdir(), 'graft-predict-'));
    for (const row of rows.slice(0, 12)) {
      mkdirSync(join(inputs, row.path.split('/')[0]!), { recursive: true });
      cpSync(join(DEMO, row.path), join(inputs, row.path));
    }
    writeFileSync(join(inputs, 'notes.jpg'), '<html>not an image</html>');
    writeFileSync(join(inputs, '.DS_Store'), 'x');
  });

  it.each(['auto', 'tfjs'])('--engine %s: top-k labels and probabilities of the pipeline; bad inputs reported, not fatal', async (engine) => {
    const missing = join(inputs, 'missing.png');
    const result = await graft(['predict', '--out', out, '--engine', engine, '--top-k', '2', '--json', inputs, missing]);
    expect(result.code, result.stderr).toBe(0);
    const predicted = JSON.parse(result.stdout) as { engine: string; results: ({ path: string; predictions: { label: string; probability: number }[] } | { path: string; error: string })[] };
    expect(predicted.engine).toBe(engine === 'auto' ? 'onnxruntime+tfjs-wasm' : 'tfjs-wasm');
    expect(predicted.results.map((r) => r.path)).toEqual([...rows.slice(0, 12).map((row) => join(inputs, row.path)), join(inputs, 'notes.jpg'), missing].sort((a, b) => (a === missing ? 0 : b === missing ? -1 : a < b ? -1 : 1)));
    for (const row of rows.slice(0, 12)) {
      const entry = predicted.results.find((r) => r.path === join(inputs, row.path))!;
      if (!('predictions' in entry)) throw new Error(`${row.path}: ${'error' in entry ? entry.error : ''}`);
      expect(entry.predictions).toHaveLength(2);
      expect(entry.predictions[0]!.label).toBe(row.predicted_name);
      expect(entry.predictions[0]!.probability).toBeCloseTo(Math.max(...row.probabilities), 4);
      expect(entry.predictions[0]!.probability).toBeGreaterThanOrEqual(entry.predictions[1]!.probability);
    }
    expect(predicted.results.find((r) => r.path.endsWith('notes.jpg'))).toMatchObject({ error: expect.stringMatching(/^cannot decode/) });
    expect(predicted.results.find((r) => r.path === missing)).toEqual({ path: missing, error: 'cannot read (ENOENT)' });
  });

  it('prints a table: one line per input, labels with percentages', async () => {
    const file = join(inputs, rows[0]!.path);
    const result = await graft(['predict', '--out', out, '--quiet', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  ${rows[0]!.predicted_name} \\d+\\.\\d%  \\w+ \\d+\\.\\d%  \\w+ \\d+\\.\\d%\\n$`));
  });

  it.each([
    [['--model', '/nonexistent/model'], /metadata.json does not exist: run `graft export` first/],
    [['--engine', 'tjfs'], /Unknown engine: 'tjfs'. Must be one of \[auto, onnxruntime, tfjs\] — did you mean 'tfjs'\?/],
    [['--top-k', '0'], /--top-k must be a positive integer, got 0/],
  ])('%j is a one-line error, exit 2', async (args, message) => {
    const result = await graft(['predict', '--out', out, ...args, join(inputs, rows[0]!.path)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
