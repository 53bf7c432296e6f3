import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { artifactMetadata, makeTable, tableToParquet } from '@graft/core';
import { graft } from './helpers/graft-cli.js';
import { REPO_ROOT } from './helpers/project-copy.js';

const DEMO = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');
const oneLine = (stderr: string) => stderr.trim().split('\n').filter((line) => !line.startsWith('npm warn'));

describe('user mistakes give one-line errors, exit code 2, no stack trace', () => {
  it.each([
    [['extract', '--backbone', 'mobilenet_v3'], /Unknown backbone: 'mobilenet_v3'. Must be one of \[.*\] — did you mean 'mobilenet_v2'\?/],
    [['train', '--learning-rate', 'fast'], /--learning-rate must be auto or a number > 0, got "fast"/],
    [['split', '--validation-percent', '120'], /--validation-percent must be in 0..100, got 120/],
    [['train', '--stepz', '10'], /Unknown argument: stepz — did you mean --steps\?/],
    [['trian'], /Unknown command 'trian' — did you mean 'train'\?|Did you mean train/],
    [['split', '--data', '/nonexistent/folder'], /dataset folder \/nonexistent\/folder cannot be read/],
  ])('graft %j', async (args, message) => {
    const result = await graft([...args, '--out', mkdtempSync(join(tmpdir(), 'graft-err-'))]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('--verbose adds the stack trace', async () => {
    const result = await graft(['split', '--data', '/nonexistent/folder', '--verbose', '--out', mkdtempSync(join(tmpdir(), 'graft-err-'))]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});

describe('artifacts from another version or damaged', () => {
  let out: string;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'graft-versions-'));
    expect((await graft(['split', '--data', DEMO, '--out', out, '--quiet'])).code).toBe(0);
  });

  it('a manifest of another schema version names the file and what to do', async () => {
    const table = makeTable([{ name: 'path', type: new arrow.Utf8(), values: ['a.jpg'] }], artifactMetadata('graft.manifest/0'));
    writeFileSync(join(out, 'split', 'manifest.parquet'), tableToParquet(table));
    const result = await graft(['extract', '--data', DEMO, '--out', out, '--backbone', 'mobilenet_v2']);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr).at(-1)).toMatch(new RegExp(`${join(out, 'split', 'manifest.parquet')} has schema graft.manifest/0 but this Graft reads graft.manifest/2: rerun \`graft split\``));
  });

  it('a damaged (truncated) manifest names the file and what to do', async () => {
    expect((await graft(['split', '--data', DEMO, '--out', out, '--quiet'])).code).toBe(0);
    const path = join(out, 'split', 'manifest.parquet');
    writeFileSync(path, readFileSync(path).subarray(0, 500));
    const result = await graft(['extract', '--data', DEMO, '--out', out, '--backbone', 'mobilenet_v2']);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr).at(-1)).toMatch(/manifest.parquet is not a readable Parquet file \(damaged or truncated\): delete it and rerun `graft split`/);
  });
});
