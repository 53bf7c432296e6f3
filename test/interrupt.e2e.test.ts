import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureCache } from '@graft/extract';
import { graft } from './helpers/graft-cli.js';
import { spawnGraft, waitFor } from './helpers/spawn-graft.js';
import { REPO_ROOT } from './helpers/project-copy.js';

const DEMO = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');
const EXTRACT = ['--backbone', 'mobilenet_v2', '--inference-batch-size', '8', '--data', DEMO];

const featureDir = (out: string) => join(out, 'cache', 'features', readdirSync(join(out, 'cache', 'features'))[0]!);
const chunkCount = (out: string) => (existsSync(join(out, 'cache', 'features')) && readdirSync(join(out, 'cache', 'features')).length ? readdirSync(featureDir(out)).filter((f) => f.startsWith('chunk-')).length : 0);
async function cachedFeatures(out: string): Promise<number> {
  return (await FeatureCache.open(featureDir(out), 1280)).size;
}
/** Rows in all chunk files together: more than the distinct images means some image was computed twice. */
async function chunkRows(out: string): Promise<number> {
  const { parquetToTable } = await import('@graft/core');
  return readdirSync(featureDir(out))
    .filter((file) => file.startsWith('chunk-'))
    .map((file) => parquetToTable(readFileSync(join(featureDir(out), file))).numRows)
    .reduce((a, b) => a + b, 0);
}

async function splitInto(out: string) {
  expect((await graft(['split', '--data', DEMO, '--out', out, '--quiet'])).code).toBe(0);
}

describe('extract survives kill -9 and concurrent runs', () => {
  let reference: Buffer;
  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-ref-'));
    await splitInto(out);
    const result = await graft(['extract', '--out', out, '--quiet', ...EXTRACT]);
    expect(result.code, result.stderr).toBe(0);
    reference = readFileSync(join(out, 'extract', 'bottlenecks.parquet'));
  });

  it('resumes after being killed at several points, recomputing no persisted feature', async () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-kill-'));
    await splitInto(out);
    for (const chunksBeforeKill of [0, 3, 9]) {
      const child = spawnGraft(['extract', '--out', out, '--flush-every', '16', '--quiet', ...EXTRACT]);
      const before = chunkCount(out);
      if (chunksBeforeKill === 0) await new Promise((resolve) => setTimeout(resolve, 400)); // still loading the model
      else expect(await waitFor(() => chunkCount(out) >= before + chunksBeforeKill, 120_000)).toBe(true);
      child.kill('SIGKILL');
      const exit = await child.done;
      expect(exit.signal).toBe('SIGKILL');
      expect(existsSync(join(out, 'extract'))).toBe(false); // never a partial stage output
    }
    const persisted = await cachedFeatures(out);
    expect(persisted).toBeGreaterThanOrEqual(16 * 12);
    const resumed = await graft(['extract', '--out', out, '--json', '--quiet', ...EXTRACT]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ images: 274, computed: 274 - persisted, cached: persisted });
    expect(readFileSync(join(out, 'extract', 'bottlenecks.parquet')).equals(reference)).toBe(true);
    expect(readdirSync(featureDir(out)).filter((f) => f.startsWith('.') || f.endsWith('.damaged'))).toEqual([]);
  });

  it('two extract runs on the same cache at once both succeed and leave it intact', async () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-concurrent-'));
    await splitInto(out);
    const [first, second] = [spawnGraft(['extract', '--out', out, '--flush-every', '16', '--quiet', ...EXTRACT]), spawnGraft(['extract', '--out', out, '--flush-every', '16', '--quiet', ...EXTRACT])];
    const results = await Promise.all([first.done, second.done]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(out, 'extract', 'bottlenecks.parquet')).equals(reference)).toBe(true);
    const cache = await FeatureCache.open(featureDir(out), 1280);
    expect(cache.size).toBe(274);
    expect(cache.damaged).toEqual([]);
  });

  it('N shard workers in parallel, one killed and restarted, then merge: the single-process table, no image computed twice', async () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-shards-'));
    await splitInto(out);
    const args = ['extract', '--out', out, '--shards', '3', '--flush-every', '8', '--json', '--quiet', ...EXTRACT];
    const workers = [0, 1, 2].map((k) => spawnGraft(args, { JOB_COMPLETION_INDEX: String(k) }));
    expect(await waitFor(() => chunkCount(out) >= 4, 120_000)).toBe(true);
    workers[1]!.kill('SIGKILL');
    const [zero, killed, two] = await Promise.all(workers.map((w) => w.done));
    expect(killed!.signal).toBe('SIGKILL');
    for (const worker of [zero!, two!]) expect(worker.code, worker.stderr).toBe(0);

    const { readManifest } = await import('@graft/split');
    const { shardOf } = await import('../packages/extract/src/shard.js');
    const cache = await FeatureCache.open(featureDir(out), 1280);
    const shardOne = (await readManifest(join(out, 'split', 'manifest.parquet'))).filter((row) => shardOf(row.sha256, 3) === 1);
    const persistedOfShardOne = shardOne.filter((row) => cache.has(row.sha256)).length;
    if (persistedOfShardOne < shardOne.length) {
      const early = await graft(['extract', '--out', out, '--merge', '--shards', '3', '--quiet', ...EXTRACT]);
      expect(early.code).not.toBe(0);
      expect(early.stderr).toMatch(new RegExp(`${shardOne.length - persistedOfShardOne} images have no features yet \\(by shard of 3: 1: ${shardOne.length - persistedOfShardOne}\\)`));
    }
    const restarted = await graft(args, { env: { JOB_COMPLETION_INDEX: '1' } });
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(JSON.parse(restarted.stdout)).toMatchObject({ shard: '1/3', images: shardOne.length, computed: shardOne.length - persistedOfShardOne });

    const merged = await graft(['extract', '--out', out, '--merge', '--json', '--quiet', ...EXTRACT]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ computed: 0, cached: 274 });
    expect(readFileSync(join(out, 'extract', 'bottlenecks.parquet')).equals(reference)).toBe(true);
    expect(await chunkRows(out)).toBe(274); // every image is in exactly one chunk row: none was computed and kept twice
  });
});
