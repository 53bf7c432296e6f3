import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graft } from './helpers/graft-cli.js';
import { duckdb } from './helpers/duckdb.js';
import { REPO_ROOT } from './helpers/project-copy.js';

const SOURCE = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');
const TARGET = join(REPO_ROOT, 'data', 'emoji-demo5', 'fluent-flat');
/** Quick settings: the fast backbone, short training; the code paths are those of the defaults. */
const QUICK = ['--backbone', 'mobilenet_v2', '--steps', '500', '--adapt-steps', '120', '--adapt-eval-every', '40', '--adapt-layer', '32', '--similarity-permutations', '100'];

describe('graft run --target on the demo pair (noto → fluent-flat, mobilenet_v2)', () => {
  let out: string;
  let summary: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'graft-da-'));
    const result = await graft(['run', '--data', SOURCE, '--target', TARGET, '--out', out, '--json', '--quiet', ...QUICK]);
    expect(result.code, result.stderr).toBe(0);
    summary = JSON.parse(result.stdout);
  });

  it('splits and extracts both domains; train uses the source only', () => {
    expect(summary.split).toMatchObject({ images: 274, targetImages: 274, targetLabelled: true });
    expect(summary.extract).toMatchObject({ images: 548 });
    expect(summary.train!.trainImages).toBe(214);
  });

  it('similarity writes a table DuckDB reads and a plain-language line', async () => {
    expect(summary.similarity!.line).toMatch(/^(close|somewhat apart|apart|far apart): proxy A-distance \d\.\d\d of 2/);
    const rows = await duckdb(`select measure, class_name, value, p_value from '${join(out, 'similarity', 'similarity.parquet')}' order by measure, class_name nulls first`);
    expect(rows.filter((r) => r.class_name === null).map((r) => r.measure)).toEqual(['coral', 'mmd_gaussian', 'mmd_linear', 'proxy_a_distance']);
    expect(rows.filter((r) => r.class_name !== null)).toHaveLength(5); // per-class MMD: the target is labelled
    const pad = rows.find((r) => r.measure === 'proxy_a_distance')!.value as number;
    expect(pad).toBeGreaterThan(0.3); // two designers' styles: a linear classifier tells them apart
    expect(rows.find((r) => r.measure === 'mmd_gaussian' && r.class_name === null)!.p_value).toBeLessThan(0.05);
  });

  it('adapt never writes target labels; evaluate scores every method on the held-out target test set', async () => {
    const columns = (await duckdb(`describe select * from '${join(out, 'adapt', 'predictions.parquet')}'`)).map((c) => c.column_name);
    expect(columns).not.toContain('class_index');
    expect(columns).not.toContain('class_name');
    const methods = summary.evaluate!.methods as Record<string, unknown>[];
    expect(methods.map((m) => m.method)).toEqual(['train-head', 'source-only', 'coral', 'mmd', 'dann']);
    for (const method of methods) {
      expect(Object.keys(method).sort()).toEqual(['method', 'recommended', 'selection', 'source_accuracy', 'target_accuracy', 'verdict']);
      expect(method.target_accuracy as number).toBeGreaterThan(0.2); // above chance (5 classes) on the other style
    }
    expect(methods.slice(1).map((m) => m.selection)).toEqual(Array(4).fill('source-validation'));
    // Independent check: DuckDB joins adapt's predictions with the manifest's target labels.
    const joined = await duckdb(`
      select p.method, avg((p.predicted_index = m.class_index)::INTEGER) as accuracy, count(*)::INTEGER as n
      from '${join(out, 'adapt', 'predictions.parquet')}' p join '${join(out, 'split', 'manifest.parquet')}' m using (domain, path)
      where m.domain = 'target' and m.split = 'test' group by p.method order by p.method`);
    for (const row of joined) {
      expect(row.n).toBe(summary.split!.targetTest);
      expect(row.accuracy).toBeCloseTo(methods.find((m) => m.method === row.method)!.target_accuracy as number, 10);
    }
    const report = JSON.parse(readFileSync(join(out, 'evaluate', 'report.json'), 'utf8'));
    expect(report.adaptation).toMatchObject({ targetLabelled: true, selection: 'source-validation', targetTestImages: summary.split!.targetTest });
    expect(report.adaptation.similarity).toBe(summary.similarity!.line);
  });

  it('one model is recommended without target labels, marked in evaluate --json and the report, and exported', async () => {
    const methods = summary.evaluate!.methods as { method: string; recommended: boolean; verdict: string | null }[];
    const recommended = summary.evaluate!.recommended as string;
    expect(methods.filter((m) => m.recommended).map((m) => m.method)).toEqual([recommended]);
    expect(summary.adapt!.recommended).toBe(recommended);
    expect(summary.evaluate!.recommendationRule).toMatch(/^the baseline — train-head/);
    // methods.parquet: adapt's verdict on train's head and every method; exactly one recommended.
    const rows = await duckdb(`select method, recommended, verdict, target_class_balance, reverse_validation_accuracy from '${join(out, 'adapt', 'methods.parquet')}' order by method`);
    expect(rows.map((r) => r.method).sort()).toEqual(['coral', 'dann', 'mmd', 'source-only', 'train-head']);
    expect(rows.filter((r) => r.recommended).map((r) => r.method)).toEqual([recommended]);
    for (const r of rows) expect(r.target_class_balance as number).toBeGreaterThan(0);
    const page = readFileSync(join(out, 'evaluate', 'report', 'index.html'), 'utf8');
    expect(page).toContain(`Recommended model: ${recommended}`);
    // export deploys it: adapt's model (its metadata names the method) or, for train-head, train's head as without --target.
    const exported = JSON.parse(readFileSync(join(out, 'export', 'model', 'metadata.json'), 'utf8'));
    if (recommended === 'train-head') {
      expect(exported.adaptation).toBeUndefined();
      expect(existsSync(join(out, 'adapt', 'model', 'model.json'))).toBe(false);
    } else {
      expect(exported.adaptation).toMatchObject({ method: recommended });
      expect(exported.head.hiddenUnits).toBe(32);
    }
  });

  it('without --target the same folder goes back to the plain pipeline: no adaptation, same source results', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'graft-da-plain-'));
    cpSync(join(out, 'cache'), join(plain, 'cache'), { recursive: true });
    const alone = await graft(['run', '--data', SOURCE, '--out', plain, '--json', '--quiet', ...QUICK]);
    expect(alone.code, alone.stderr).toBe(0);
    const again = await graft(['run', '--data', SOURCE, '--out', out, '--json', '--quiet', ...QUICK]);
    expect(again.code, again.stderr).toBe(0);
    const [withoutTarget, reference] = [JSON.parse(again.stdout), JSON.parse(alone.stdout)];
    expect(withoutTarget.similarity).toEqual({ skipped: true, targetDomain: false });
    expect(withoutTarget.adapt).toEqual({ skipped: true, targetDomain: false });
    expect(existsSync(join(out, 'adapt'))).toBe(false); // stale results of the target run removed
    expect(existsSync(join(out, 'similarity'))).toBe(false);
    expect(withoutTarget.evaluate).not.toHaveProperty('methods');
    expect(withoutTarget.evaluate.accuracy).toBe(reference.evaluate.accuracy);
    expect(readFileSync(join(out, 'evaluate', 'report.json'), 'utf8')).toBe(readFileSync(join(plain, 'evaluate', 'report.json'), 'utf8'));
    // The source rows of the target run trained the same head as the plain run.
    expect(summary.evaluate!.accuracy).toBe(reference.evaluate.accuracy);
  });
});
