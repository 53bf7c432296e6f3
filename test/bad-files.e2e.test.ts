import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graft } from './helpers/graft-cli.js';
import { duckdb } from './helpers/duckdb.js';
import { makeMessyDataset, type Expectation } from './helpers/messy-dataset.js';

describe('a messy real-world folder', () => {
  let data: string;
  let out: string;
  let expected: Record<string, Expectation>;
  let emptyClass: string;
  let extractStderr: string;

  beforeAll(async () => {
    ({ root: data, expected, emptyClass } = await makeMessyDataset());
    out = mkdtempSync(join(tmpdir(), 'graft-messy-out-'));
    const split = await graft(['split', '--data', data, '--out', out, '--quiet']);
    expect(split.code, split.stderr).toBe(0);
    const extract = await graft(['extract', '--data', data, '--out', out, '--backbone', 'mobilenet_v2']);
    expect(extract.code, extract.stderr).toBe(0);
    extractStderr = extract.stderr;
  });

  it('split accepts every readable image, detecting its format by content', async () => {
    const rows = await duckdb(`select path, format from '${join(out, 'split', 'manifest.parquet')}'`);
    const formats = Object.fromEntries(rows.map((row) => [row.path, row.format]));
    for (const [path, expectation] of Object.entries(expected)) {
      if ('accept' in expectation) expect(formats[path], path).toBe(expectation.accept);
    }
    expect(rows).toHaveLength(Object.values(expected).filter((e) => 'accept' in e).length);
  });

  it('split rejects every unusable file with its reason, and nothing else', async () => {
    const rows = await duckdb(`select path, reason from '${join(out, 'split', 'rejected.parquet')}'`);
    const reasons = Object.fromEntries(rows.map((row) => [row.path, String(row.reason)]));
    for (const [path, expectation] of Object.entries(expected)) {
      if ('reject' in expectation) expect(reasons[path], path).toMatch(expectation.reject);
    }
    expect(rows).toHaveLength(Object.values(expected).filter((e) => 'reject' in e).length);
  });

  it('reports the empty class folder as left out', async () => {
    const rows = await duckdb(`select class_name, class_index, excluded_reason from '${join(out, 'split', 'classes.parquet')}' order by class_name`);
    expect(rows.map((r) => r.class_name)).toEqual(['alpha', 'beta', emptyClass, 'gamma']);
    expect(rows.find((r) => r.class_name === emptyClass)).toMatchObject({ class_index: null, excluded_reason: expect.stringMatching(/0 usable images/) });
  });

  it('extract computes a feature for every accepted image (100 MP, 8000×40, SVG, CMYK, …) and says so', async () => {
    const [counts] = await duckdb(`select count(*)::INTEGER as n from '${join(out, 'extract', 'bottlenecks.parquet')}'`);
    expect(counts!.n).toBe(Object.values(expected).filter((e) => 'accept' in e).length);
    expect(extractStderr).toMatch(new RegExp(`extract: ${counts!.n} images used, 0 skipped`));
  });
});
