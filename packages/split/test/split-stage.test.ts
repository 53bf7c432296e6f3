import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync, symlinkSync, mkdtempSync, readFileSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runStage, DatasetError, ParamError } from '@graft/core';
import { splitStage } from '../src/spec.js';
import { runSplit } from '../src/run.js';
import { readManifest, readClasses } from '../src/tables.js';
import { makeTree, syntheticImage } from '../../../test/helpers/dataset.js';
import { duckdb } from '../../../test/helpers/duckdb.js';

const defaults = { validationPercent: 10, testPercent: 10, minImagesPerClass: 3, maxPixels: 250_000_000, testPattern: '', targetTestPercent: 50 };

async function split(data: string, params: Partial<typeof defaults> = {}) {
  const out = mkdtempSync(join(tmpdir(), 'graft-out-'));
  const outcome = await runStage(splitStage, runSplit, { params: { ...defaults, ...params }, out, data, quiet: true, codeDirs: [] });
  return { out, outcome };
}

function images(className: string, count: number, offset = 0, format: 'jpeg' | 'png' = 'jpeg') {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${className}/img ${i + offset}.${format === 'png' ? 'png' : 'jpg'}`, syntheticImage(i + offset, format)]));
}

describe('split stage', () => {
  it('writes a manifest, classes and rejected table that DuckDB reads back', async () => {
    const jpeg = await syntheticImage(1)();
    const data = await makeTree({
      ...images('cats', 12),
      ...images('dogs', 9, 100, 'png'),
      ...images('tiny', 2, 200),
      'dogs/page.jpg': '<!DOCTYPE html><html><head></head><body>404</body></html>',
      'dogs/empty.jpg': new Uint8Array(0),
      'cats/truncated.jpg': jpeg.subarray(0, Math.floor(jpeg.length / 2)),
      'cats/really-a-png.jpg': await syntheticImage(5, 'png')(),
      'cats/.DS_Store': 'x',
      'README.txt': 'stray',
    });
    const { out } = await split(data);
    const manifestPath = join(out, 'split', 'manifest.parquet');
    const manifest = await duckdb(`select path, class_name, class_index, split, sha256, bytes, format from '${manifestPath}' order by path`);
    expect(manifest).toHaveLength(12 + 1 + 9);
    expect(manifest.find((row) => row.path === 'cats/really-a-png.jpg')?.format).toBe('png');
    const schema = await duckdb(`describe select * from '${manifestPath}'`);
    expect(Object.fromEntries(schema.map((c) => [c.column_name, c.column_type]))).toMatchObject({ path: 'VARCHAR', class_index: 'INTEGER', split: 'VARCHAR', bytes: 'BIGINT' });
    for (const className of ['cats', 'dogs']) {
      const splits = new Set(manifest.filter((r) => r.class_name === className).map((r) => r.split));
      expect(splits).toEqual(new Set(['train', 'validation', 'test']));
    }

    const rejected = await duckdb(`select path, reason from '${join(out, 'split', 'rejected.parquet')}' order by path`);
    const reasonOf = Object.fromEntries(rejected.map((r) => [r.path, r.reason as string]));
    expect(reasonOf['dogs/page.jpg']).toMatch(/HTML/);
    expect(reasonOf['dogs/empty.jpg']).toMatch(/empty file/);
    expect(reasonOf['cats/truncated.jpg']).toMatch(/truncated|corrupt/);
    expect(reasonOf['README.txt']).toMatch(/stray file/);
    expect(reasonOf['cats/.DS_Store']).toMatch(/hidden or system/);

    const classes = await readClasses(join(out, 'split', 'classes.parquet'));
    expect(classes.map((c) => [c.className, c.classIndex])).toEqual([['cats', 0], ['dogs', 1], ['tiny', null]]);
    expect(classes[2]!.excludedReason).toMatch(/2 usable images, fewer than the minimum 3/);
  });

  it('keeps existing assignments when images are added', async () => {
    const data = await makeTree({ ...images('a', 30), ...images('b', 30, 50) });
    const before = await readManifest(join((await split(data)).out, 'split', 'manifest.parquet'));
    for (let i = 0; i < 5; i++) writeFileSync(join(data, 'a', `added ${i}.jpg`), await syntheticImage(900 + i)());
    const after = await readManifest(join((await split(data)).out, 'split', 'manifest.parquet'));
    const splitOf = new Map(after.map((row) => [row.path, row.split]));
    for (const row of before) expect(splitOf.get(row.path)).toBe(row.split);
    expect(after).toHaveLength(before.length + 5);
  });

  it('a rerun reads only new and changed files, and writes what a first run writes', async () => {
    const data = await makeTree({ ...images('a', 10), ...images('b', 10, 50), 'b/broken.jpg': 'not an image' });
    const past = new Date(Date.now() - 3_600_000);
    const age = (files: string[]) => { for (const file of files) utimesSync(file, past, past); };
    age(walk(data)); // files written long before the run: outside the window where an unchanged stamp cannot be trusted
    const out = mkdtempSync(join(tmpdir(), 'graft-out-'));
    const run = async () => (await runStage(splitStage, runSplit, { params: defaults, out, data, quiet: true, codeDirs: [], force: true })).summary as { filesRead: number; images: number };
    expect((await run()).filesRead).toBe(21);
    expect((await run()).filesRead).toBe(0);
    writeFileSync(join(data, 'a', 'added.jpg'), await syntheticImage(900)());
    // Same size, other content, mtime set back to the old value: the ctime still changes.
    const replaced = join(data, 'b', 'img 50.jpg');
    const other = await syntheticImage(51)();
    writeFileSync(replaced, Buffer.concat([other, Buffer.alloc(Math.max(0, readFileSync(replaced).length - other.length))]).subarray(0, readFileSync(replaced).length));
    writeFileSync(join(data, 'b', 'broken.jpg'), await syntheticImage(901)());
    age([join(data, 'a', 'added.jpg'), replaced, join(data, 'b', 'broken.jpg')]);
    const rerun = await run();
    expect(rerun.filesRead).toBe(3);
    const fresh = await split(data);
    for (const file of ['manifest.parquet', 'classes.parquet', 'rejected.parquet']) expect(readFileSync(join(out, 'split', file)).equals(readFileSync(join(fresh.out, 'split', file)))).toBe(true);
  });

  it('is deterministic: the same folder gives byte-identical artifacts', async () => {
    const data = await makeTree({ ...images('a', 8), ...images('b', 8, 20) });
    const [first, second] = [await split(data), await split(data)];
    const { readFileSync } = await import('node:fs');
    for (const file of ['manifest.parquet', 'classes.parquet', 'rejected.parquet']) {
      expect(readFileSync(join(first.out, 'split', file)).equals(readFileSync(join(second.out, 'split', file)))).toBe(true);
    }
  });

  it('follows valid symlinks and reports dangling ones', async () => {
    const data = await makeTree({ ...images('a', 4), ...images('b', 4, 10) });
    symlinkSync(join(data, 'a', 'img 0.jpg'), join(data, 'b', 'linked.jpg'));
    symlinkSync(join(data, 'a', 'missing.jpg'), join(data, 'b', 'dangling.jpg'));
    const { out } = await split(data);
    const manifest = await readManifest(join(out, 'split', 'manifest.parquet'));
    expect(manifest.map((r) => r.path)).toContain('b/linked.jpg');
    const rejected = await duckdb(`select reason from '${join(out, 'split', 'rejected.parquet')}' where path = 'b/dangling.jpg'`);
    expect(rejected[0]?.reason).toBe('dangling symlink');
  });

  it('--test-pattern makes the matching images the test split', async () => {
    const data = await makeTree({ ...images('a', 12), ...images('b', 12, 100) });
    const { out } = await split(data, { testPattern: 'img [0-9]*[05]\\.jpg$', testPercent: 50 });
    const rows = await duckdb(`select split, count(*)::INTEGER as n, bool_and(regexp_matches(path, 'img [0-9]*[05]\\.jpg$')) as all_match from '${join(out, 'split', 'manifest.parquet')}' group by split order by split`);
    expect(rows.find((r) => r.split === 'test')).toEqual({ split: 'test', n: 6, all_match: true });
    expect(rows.filter((r) => r.split !== 'test').every((r) => r.all_match === false)).toBe(true);
  });

  it.each([
    ['a missing folder', async () => '/nonexistent/graft-data', {}, DatasetError, /cannot be read/],
    ['one usable class', async () => makeTree({ ...images('a', 5), ...images('b', 1, 10) }), {}, DatasetError, /at least 2 classes/],
    ['percentages leaving no training data', async () => makeTree({ ...images('a', 5), ...images('b', 5, 10) }), { validationPercent: 60, testPercent: 40 }, ParamError, /must be below 100/],
    ['an invalid --test-pattern', async () => makeTree({ ...images('a', 5), ...images('b', 5, 10) }), { testPattern: 'test-(' }, ParamError, /split --test-pattern: Invalid regular expression/],
  ])('refuses %s with a clear error and leaves no output', async (_, makeData, params, errorType, message) => {
    const data = await makeData();
    const out = mkdtempSync(join(tmpdir(), 'graft-out-'));
    const run = runStage(splitStage, runSplit, { params: { ...defaults, ...params }, out, data, quiet: true, codeDirs: [] });
    await expect(run).rejects.toThrowError(errorType);
    await expect(runStage(splitStage, runSplit, { params: { ...defaults, ...params }, out, data, quiet: true, codeDirs: [] })).rejects.toThrowError(message);
    expect(existsSync(join(out, 'split'))).toBe(false);
  });
});

/** Every file under a folder. */
function walk(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true }).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
