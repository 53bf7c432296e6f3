import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as arrow from 'apache-arrow';
import { runStage, DatasetError, artifactMetadata, makeTable, tableToParquet, readProvenance } from '@graft/core';
import { splitStage } from '../src/spec.js';
import { runSplit } from '../src/run.js';
import { readManifest, manifestColumns, type ManifestRow } from '../src/tables.js';
import { manifestHasTarget } from '../src/manifest-domains.js';
import { pathPercentage } from '../src/assign-split.js';
import { makeTree, syntheticImage } from '../../../test/helpers/dataset.js';
import { duckdb } from '../../../test/helpers/duckdb.js';

const defaults = { validationPercent: 10, testPercent: 10, minImagesPerClass: 3, maxPixels: 250_000_000, targetTestPercent: 50 };

function images(prefix: string, count: number, offset = 0) {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}img ${i + offset}.jpg`, syntheticImage(i + offset)]));
}

async function split(data: string, target: string | undefined, params: Partial<typeof defaults> = {}) {
  const out = mkdtempSync(join(tmpdir(), 'graft-out-'));
  const outcome = await runStage(splitStage, runSplit, { params: { ...defaults, ...params }, out, data, target, quiet: true, codeDirs: [] });
  return { out, outcome, manifestPath: join(out, 'split', 'manifest.parquet') };
}

describe('split with a target domain (--target)', () => {
  it('labelled target: rows with domain = target, source class indices, train / test by path hash', async () => {
    const data = await makeTree({ ...images('cats/', 8), ...images('dogs/', 8, 50) });
    const target = await makeTree({ ...images('cats/', 6, 100), ...images('dogs/', 6, 200), 'dogs/broken.jpg': 'not an image', 'stray.jpg': syntheticImage(3) });
    const { manifestPath, outcome, out } = await split(data, target, { targetTestPercent: 40 });
    const rows = await duckdb(`select path, class_name, class_index, split, domain from '${manifestPath}' order by domain, path`);
    const targetRows = rows.filter((r) => r.domain === 'target');
    expect(rows.filter((r) => r.domain === 'source')).toHaveLength(16);
    expect(targetRows).toHaveLength(12);
    for (const row of targetRows) {
      expect(row.class_index).toBe(row.class_name === 'cats' ? 0 : 1);
      expect(row.split).toBe(pathPercentage(row.path as string) < 40 ? 'test' : 'train');
    }
    expect(new Set(targetRows.map((r) => r.split))).toEqual(new Set(['train', 'test']));
    // Source rows first (as before), then target rows: each sorted by path.
    const manifest = await readManifest(manifestPath);
    expect(manifest.map((r) => r.domain)).toEqual([...Array(16).fill('source'), ...Array(12).fill('target')]);
    expect(await manifestHasTarget(manifestPath)).toBe(true);
    const rejected = await duckdb(`select path, reason from '${join(out, 'split', 'rejected.parquet')}' order by path`);
    expect(rejected.find((r) => r.path === 'dogs/broken.jpg')?.reason).toMatch(/^target domain: not an image/);
    expect(rejected.find((r) => r.path === 'stray.jpg')?.reason).toMatch(/^target domain: stray file/);
    expect(outcome.summary).toMatchObject({ images: 16, targetImages: 12, targetLabelled: true });
    expect(readProvenance(out, splitStage)!.target).toMatchObject({ files: 13, labelled: true });
  });

  it('flat target: unlabelled rows (class_index -1, class_name empty)', async () => {
    const data = await makeTree({ ...images('a/', 5), ...images('b/', 5, 10) });
    const target = await makeTree({ ...images('', 7, 300), '.DS_Store': 'x' });
    const { manifestPath, outcome } = await split(data, target);
    const rows = await duckdb(`select class_name, class_index, count(*)::INTEGER as n from '${manifestPath}' where domain = 'target' group by all`);
    expect(rows).toEqual([{ class_name: '', class_index: -1, n: 7 }]);
    expect(outcome.summary).toMatchObject({ targetImages: 7, targetLabelled: false });
  });

  it('without --target the manifest has only source rows', async () => {
    const data = await makeTree({ ...images('a/', 5), ...images('b/', 5, 10) });
    const { manifestPath, outcome } = await split(data, undefined);
    expect(await duckdb(`select distinct domain from '${manifestPath}'`)).toEqual([{ domain: 'source' }]);
    expect(await manifestHasTarget(manifestPath)).toBe(false);
    expect(outcome.summary).not.toHaveProperty('targetImages');
  });

  it('a target class folder that is not a source class is a one-line error', async () => {
    const data = await makeTree({ ...images('a/', 5), ...images('b/', 5, 10) });
    const target = await makeTree({ ...images('a/', 3), ...images('zebra/', 3, 10) });
    await expect(split(data, target)).rejects.toThrowError(DatasetError);
    await expect(split(data, target)).rejects.toThrowError(/class folders that are not source classes: zebra/);
  });

  it('a missing target folder is a one-line error', async () => {
    const data = await makeTree({ ...images('a/', 5), ...images('b/', 5, 10) });
    await expect(split(data, '/nonexistent/target')).rejects.toThrowError(/target folder \/nonexistent\/target cannot be read/);
  });

  it('reads manifests of the previous schema (graft.manifest/1, no domain column) as all source', async () => {
    const row: ManifestRow = { path: 'a/x.jpg', className: 'a', classIndex: 0, split: 'train', sha256: 'ab', bytes: 3, format: 'jpeg', width: 2, height: 2 };
    const columns = manifestColumns([row]).filter((c) => c.name !== 'domain');
    const path = join(mkdtempSync(join(tmpdir(), 'graft-v1-')), 'manifest.parquet');
    writeFileSync(path, tableToParquet(makeTable(columns, artifactMetadata('graft.manifest/1'))));
    expect(columns.some((c) => c.type instanceof arrow.Utf8 && c.name === 'domain')).toBe(false);
    expect(await readManifest(path)).toEqual([{ ...row, domain: 'source' }]);
  });
});
