import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { DuckDBInstance } from '@duckdb/node-api';
import { graft } from './helpers/graft-cli.js';
import { duckdb } from './helpers/duckdb.js';
import { trainStage } from '@graft/train';
import { launchChromium } from './helpers/chromium.js';
import { REPO_ROOT } from './helpers/project-copy.js';

const DEMO = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');
/** A fast backbone and a short training: the report, inspect, status and the notebook only need real artifacts. */
const RUN_FLAGS = ['--data', DEMO, '--backbone', 'mobilenet_v2', '--steps', '300'];
const CLASSES = ['clothing', 'food', 'mammal', 'vehicle', 'weather'];

let out: string;
let summary: Record<string, Record<string, unknown>>;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'graft-results-'));
  const result = await graft(['run', ...RUN_FLAGS, '--out', out, '--json', '--quiet']);
  expect(result.code, result.stderr).toBe(0);
  summary = JSON.parse(result.stdout);
});

/** Fraction of a PNG's pixels that are not (near) white. */
async function inkFraction(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let ink = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i]! < 235 || data[i + 1]! < 235 || data[i + 2]! < 235) ink++;
  return ink / (info.width * info.height);
}

describe('the HTML report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  let pageUrl: string;

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    pageUrl = pathToFileURL(join(out, 'evaluate', 'report', 'index.html')).href;
    await page.goto(pageUrl, { waitUntil: 'load' });
  });
  afterAll(async () => browser?.close());

  it('loads nothing but itself: no network request, no blocked resource', () => {
    expect(requests.filter((url) => !url.startsWith('data:'))).toEqual([pageUrl]);
    expect(consoleErrors).toEqual([]);
  });

  it('shows the headline test accuracy and N', async () => {
    expect(await page.locator('#headline').textContent()).toBe(summary.evaluate!.headline);
  });

  it('draws the confusion matrix: one cell per class pair, counts adding up to N, visible pixels', async () => {
    const matrix = page.locator('#confusion-matrix svg');
    await expect(matrix.count()).resolves.toBe(1);
    expect(await matrix.locator('path[aria-roledescription="rect mark"]').count()).toBe(CLASSES.length ** 2);
    const counts = await matrix.locator('text[aria-roledescription="text mark"]').allTextContents();
    expect(counts.map(Number).reduce((a, b) => a + b, 0)).toBe(33);
    const box = await matrix.boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(await inkFraction(await matrix.screenshot())).toBeGreaterThan(0.2); // blue cells, not a blank box
  });

  it('draws the training and validation curves from metrics.parquet', async () => {
    const curves = page.locator('#training-curves svg');
    const lines = curves.locator('path[aria-roledescription="line mark"]');
    expect(await lines.count()).toBe(4); // accuracy and loss, each for the train batch and validation
    for (const d of await lines.evaluateAll((paths) => paths.map((p) => p.getAttribute('d') ?? ''))) expect(d).toMatch(/^M[\d.,-]+L/);
    // one point per L-BFGS iteration on each of the 4 lines (points are drawn up to 60 iterations)
    const [steps] = await duckdb(`select count(*)::INTEGER as n from '${join(out, 'train', 'metrics.parquet')}'`);
    expect(steps!.n).toBe(JSON.parse(readFileSync(join(out, 'train', 'provenance.json'), 'utf8')).fit.solver.iterations);
    expect(await curves.locator('path[aria-roledescription="point"]').count()).toBe((steps!.n as number) <= 60 ? 4 * (steps!.n as number) : 0);
    const ink = await inkFraction(await curves.screenshot());
    expect(ink).toBeGreaterThan(0.01);
    expect(ink).toBeLessThan(0.6);
  });

  it('says how the head was fitted and plots the L2 strengths cross-validation tried', async () => {
    const provenance = JSON.parse(readFileSync(join(out, 'train', 'provenance.json'), 'utf8'));
    const sentence = await page.locator('#head-fit').textContent();
    expect(sentence).toContain('softmax layer on standardized features');
    expect(sentence).toContain(`L-BFGS: ${provenance.fit.solver.iterations} iterations`);
    expect(sentence).toContain(`l2 = ${provenance.fit.l2}`);
    const tried = await duckdb(`select l2, chosen from '${join(out, 'train', 'selection.parquet')}' order by l2 desc`);
    expect(tried.filter((row) => row.chosen).map((row) => row.l2)).toEqual([provenance.fit.l2]);
    const chart = page.locator('#l2-selection svg');
    expect(await chart.locator('path[aria-roledescription="point"]').count()).toBe(2 * tried.length); // accuracy and log-loss panels
  });

  it('shows the most confident mistakes with decoded thumbnails and their labels', async () => {
    const report = JSON.parse(readFileSync(join(out, 'evaluate', 'report.json'), 'utf8'));
    const figures = page.locator('figure.mistake');
    expect(await figures.count()).toBe(report.misclassified.length);
    expect(report.misclassified.length).toBeGreaterThan(0);
    const sizes = await page.locator('figure.mistake img').evaluateAll((images) => images.map((img) => [(img as HTMLImageElement).complete, (img as HTMLImageElement).naturalWidth]));
    expect(sizes).toEqual(report.misclassified.map(() => [true, 96]));
    const first = report.misclassified[0];
    const text = await figures.first().textContent();
    expect(text).toContain(`true: ${first.trueClass}`);
    expect(text).toContain(`predicted: ${first.predictedClass}`);
    expect(text).toContain(first.path);
  });

  it('summarises the dataset and the provenance of every stage', async () => {
    const rows = await page.locator('#classes-table tbody tr').allTextContents();
    expect(rows.map((row) => row.match(/^[a-z]+/)![0])).toEqual(CLASSES);
    expect(await page.locator('#classes-table tfoot').textContent()).toContain('274');
    for (const stage of ['split', 'extract', 'train', 'evaluate']) {
      const card = await page.locator(`#provenance-${stage}`).textContent();
      expect(card).toContain('key');
    }
    expect(await page.locator('#provenance-extract').textContent()).toContain('mobilenet_v2');
    expect(await page.locator('#provenance-extract').textContent()).toContain(`engines.${summary.extract!.engine}`);
    expect(await page.locator('#provenance-train').textContent()).toMatch(/params\.steps\s*300/);
  });
});

describe('the report without the dataset folder', () => {
  it('lists the mistakes by path, without thumbnails, and says why', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'graft-results-'));
    cpSync(out, copy, { recursive: true });
    const result = await graft(['evaluate', '--out', copy, '--data', join(copy, 'no-such-folder'), '--force', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const html = readFileSync(join(copy, 'evaluate', 'report', 'index.html'), 'utf8');
    expect(html).not.toContain('<img');
    expect(html).toContain('Thumbnails left out: the dataset folder (--data) was not found.');
    const report = JSON.parse(readFileSync(join(copy, 'evaluate', 'report.json'), 'utf8'));
    for (const mistake of report.misclassified) expect(html).toContain(mistake.path);
  });
});

describe('examples/notebook.ipynb: its SQL runs on real artifacts', () => {
  /** The SQL strings of the notebook's code cells marked `-- graft-sql: <title>`, by title. */
  function notebookQueries(): Map<string, string> {
    const notebook = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'notebook.ipynb'), 'utf8')) as { cells: { cell_type: string; source: string[] }[] };
    const queries = new Map<string, string>();
    for (const cell of notebook.cells.filter((c) => c.cell_type === 'code')) {
      for (const [, sql] of cell.source.join('').matchAll(/"""\s*\n(-- graft-sql:[^]*?)"""/g)) queries.set(sql!.match(/^-- graft-sql: (.*)$/m)![1]!.trim(), sql!);
    }
    return queries;
  }

  let results: Map<string, Record<string, unknown>[]>;
  beforeAll(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // As the notebook does: file names in the SQL are relative to the artifacts folder.
    await connection.run(`SET file_search_path = '${out}'`);
    results = new Map();
    for (const [title, sql] of notebookQueries()) results.set(title, (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]);
    connection.closeSync();
    instance.closeSync();
  });

  it('has the queries this test checks, and no others', () => {
    expect([...results.keys()].sort()).toEqual([
      'accuracy per split',
      'confusion matrix of the test split',
      'files left out, and why',
      'images per class and split',
      'most confident mistakes on the test split',
      'nearest training image of every test image',
      'probability given to the true class, per class',
      'provenance stored in the bottleneck table',
      'training curve',
    ]);
  });

  it('counts the images of the manifest by class and split', () => {
    const rows = results.get('images per class and split')!;
    expect(rows.reduce((sum, r) => sum + Number(r.images), 0)).toBe(274);
    expect(rows.filter((r) => r.split === 'test').reduce((sum, r) => sum + Number(r.images), 0)).toBe(33);
    expect(new Set(rows.map((r) => r.class_name))).toEqual(new Set(CLASSES));
    expect(results.get('files left out, and why')).toEqual([]); // the demo data is clean
  });

  it('reads the bottleneck provenance and computes nearest neighbours on the features', () => {
    const header = JSON.parse(String(results.get('provenance stored in the bottleneck table')![0]!.graft));
    expect(header.provenance.backbone.id).toBe('mobilenet_v2');
    const nearest = results.get('nearest training image of every test image')!;
    expect(nearest).toHaveLength(33);
    for (const row of nearest) expect(Number(row.similarity)).toBeGreaterThan(0);
    const correct = nearest.filter((r) => r.class_name === r.nearest_class).length / nearest.length;
    expect(correct).toBeGreaterThan(0.3); // features carry class information (chance: ~0.2)
  });

  it('agrees with evaluate on the training curve, accuracy, confusion matrix and mistakes', () => {
    const iterations = JSON.parse(readFileSync(join(out, 'train', 'provenance.json'), 'utf8')).fit.solver.iterations as number;
    expect(results.get('training curve')!.map((r) => r.step)).toEqual(Array.from({ length: iterations }, (_, i) => i + 1));
    const test = results.get('accuracy per split')!.find((r) => r.split === 'test')!;
    expect(Number(test.images)).toBe(33);
    expect(Number(test.accuracy)).toBeCloseTo(summary.evaluate!.accuracy as number, 10);
    const report = JSON.parse(readFileSync(join(out, 'evaluate', 'report.json'), 'utf8'));
    const confusion = results.get('confusion matrix of the test split')!;
    expect(confusion.map((r) => r.class_name)).toEqual(CLASSES);
    confusion.forEach((row, t) => CLASSES.forEach((predicted, p) => expect(Number(row[predicted] ?? 0)).toBe(report.confusionMatrix[t][p])));
    const mistakes = results.get('most confident mistakes on the test split')!;
    expect(mistakes.map((m) => m.path)).toEqual(report.misclassified.slice(0, 10).map((m: { path: string }) => m.path));
    for (const row of results.get('probability given to the true class, per class')!) expect(Number(row.mean_probability_of_true_class)).toBeGreaterThan(0);
  });
});

describe('graft inspect', () => {
  it('prints schema, row count, provenance and first rows of a Parquet artifact, as DuckDB reads it', async () => {
    const result = await graft(['inspect', 'train/metrics.parquet', '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const description = JSON.parse(result.stdout);
    const [metricsRows] = await duckdb(`select count(*)::INTEGER as n from '${join(out, 'train', 'metrics.parquet')}'`);
    expect(metricsRows!.n).toBeGreaterThan(3);
    expect(description).toMatchObject({ kind: 'parquet', rows: metricsRows!.n, schema: trainStage.outputs.metrics.schema });
    const columns = (await duckdb(`describe select * from '${join(out, 'train', 'metrics.parquet')}'`)).map((c) => c.column_name);
    expect(description.columns.map((c: { name: string }) => c.name)).toEqual(columns);
    expect(columns).toEqual(expect.arrayContaining(['step', 'loss', 'train_accuracy', 'validation_loss', 'validation_accuracy']));
    expect(description.provenance.params.steps).toBe(300);
    expect(description.firstRows).toEqual(await duckdb(`select * from '${join(out, 'train', 'metrics.parquet')}' limit 5`));
    const text = await graft(['inspect', 'metrics', '--out', out, '--rows', '2']);
    expect(text.stdout).toContain(`Parquet, ${metricsRows!.n} rows, schema ${trainStage.outputs.metrics.schema}`);
    expect(text.stdout).toMatch(new RegExp(`first 2 rows:\\n\\s+${columns[0]}\\s+${columns[1]}`));
  });

  it('shows feature vectors whole in JSON and shortened in text', async () => {
    const json = JSON.parse((await graft(['inspect', 'bottlenecks', '--out', out, '--rows', '1', '--json'])).stdout);
    const [row] = await duckdb(`select path, feature from '${join(out, 'extract', 'bottlenecks.parquet')}' limit 1`);
    expect(json.firstRows[0].path).toBe(row!.path);
    expect(Float32Array.from(json.firstRows[0].feature)).toEqual(Float32Array.from(row!.feature as number[]));
    const text = (await graft(['inspect', join(out, 'extract', 'bottlenecks.parquet'), '--rows', '1'])).stdout;
    expect(text).toContain('feature      FixedSizeList[1280]<Float32>');
    expect(text).toMatch(/\[[-\d.e, ]+, …\] \(1280\)/);
  });

  it('pretty-prints JSON artifacts and lists a stage folder with its provenance', async () => {
    const report = JSON.parse((await graft(['inspect', 'evaluate/report.json', '--out', out, '--json'])).stdout);
    expect(report.content.accuracy).toBe(summary.evaluate!.accuracy);
    const stage = JSON.parse((await graft(['inspect', 'evaluate', '--out', out, '--json'])).stdout);
    expect(stage.files.map((f: { file: string }) => f.file)).toEqual(['predictions.parquet', 'provenance.json', 'report.json', 'report/index.html']);
    expect(stage.provenance.summary.headline).toBe(summary.evaluate!.headline);
  });

  it('resolves a name several stages write to the one that exists (predictions: evaluate\'s, without a target domain there is no adapt\'s)', async () => {
    const json = JSON.parse((await graft(['inspect', 'predictions', '--out', out, '--json'])).stdout);
    expect(json.path).toBe(join(out, 'evaluate', 'predictions.parquet'));
    const missing = await graft(['inspect', 'methods', '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no artifact 'methods'.*: run `graft adapt` first/);
  });

  it('names a near match for a misspelt artifact, in one line with exit code 2', async () => {
    const result = await graft(['inspect', 'metric', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`graft: no artifact 'metric' (looked in ${out} and the current folder) — did you mean 'metrics'?`);
  });
});

describe('graft status', () => {
  const status = async (folder: string, { data = DEMO, steps = '300' } = {}) => {
    const result = await graft(['status', '--data', data, '--backbone', 'mobilenet_v2', '--steps', steps, '--out', folder, '--json', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { upToDate: boolean; stages: { stage: string; upToDate: boolean; reason?: string }[] };
  };
  const reasons = (s: Awaited<ReturnType<typeof status>>) => Object.fromEntries(s.stages.map((stage) => [stage.stage, stage.reason ?? 'up to date']));

  it('says every stage is up to date right after `graft run` with the same params', async () => {
    const result = await status(out);
    expect(reasons(result)).toEqual({ split: 'up to date', extract: 'up to date', train: 'up to date', doctor: 'up to date', evaluate: 'up to date', export: 'up to date' });
    expect(result.upToDate).toBe(true);
    const text = await graft(['status', ...RUN_FLAGS, '--out', out]);
    expect(text.stdout).toContain(`evaluate  up to date — ${summary.evaluate!.headline}`);
  });

  it('names the changed param and the stages downstream of it', async () => {
    expect(reasons(await status(out, { steps: '200' }))).toEqual({
      split: 'up to date',
      extract: 'up to date',
      train: 'params changed: steps 300 → 200',
      doctor: 'upstream stage train is not up to date',
      evaluate: 'upstream stage train is not up to date',
      export: 'upstream stage train is not up to date',
    });
  });

  it('notices a changed data folder and a missing output', async () => {
    const data = mkdtempSync(join(tmpdir(), 'graft-data-'));
    cpSync(DEMO, data, { recursive: true });
    rmSync(join(data, 'food', readdirSync(join(data, 'food')).sort()[0]!));
    const changed = await status(out, { data });
    expect(changed.stages[0]!.reason).toBe(`the files in ${data} differ from what split read last time`);
    expect(changed.stages.slice(1).every((s) => !s.upToDate)).toBe(true);

    const copy = mkdtempSync(join(tmpdir(), 'graft-results-'));
    cpSync(out, copy, { recursive: true });
    rmSync(join(copy, 'evaluate', 'report', 'index.html'));
    expect(reasons(await status(copy)).evaluate).toBe('output report/index.html is missing');
    rmSync(join(copy, 'split'), { recursive: true });
    expect(reasons(await status(copy))).toEqual({
      split: 'never ran',
      extract: 'input split/manifest.parquet is missing (run `graft split`)',
      train: 'input split/classes.parquet is missing (run `graft split`)',
      doctor: 'input split/classes.parquet is missing (run `graft split`)',
      evaluate: 'input split/classes.parquet is missing (run `graft split`)',
      export: 'upstream stage train is not up to date',
    });
  });
});
