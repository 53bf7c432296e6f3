import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureCache } from '../src/feature-cache.js';

describe('FeatureCache', () => {
  it('persists flushed features across opens and ignores a damaged chunk', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'graft-cache-'));
    const cache = await FeatureCache.open(directory, 3);
    cache.add('aa', Float32Array.of(1, 2, 3), 'onnxruntime');
    cache.add('bb', Float32Array.of(4, 5, 6), 'onnxruntime');
    await cache.flush();
    cache.add('cc', Float32Array.of(7, 8, 9), 'tfjs-wasm'); // never flushed: lost, as after a crash
    writeFileSync(join(directory, 'chunk-broken.parquet'), 'not parquet');

    const reopened = await FeatureCache.open(directory, 3);
    expect(reopened.size).toBe(2);
    expect(reopened.has('cc')).toBe(false);
    const target = new Float32Array(3);
    expect(await reopened.copyInto('bb', target, 0)).toBe('onnxruntime');
    expect(Array.from(target)).toEqual([4, 5, 6]);
    expect(reopened.damaged).toEqual(['chunk-broken.parquet']);
    expect(readdirSync(directory)).toContain('chunk-broken.parquet.damaged');
  });
});

describe('FeatureCache under concurrent use', () => {
  it('keeps what is added while a flush is writing, for the next flush', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'graft-cache-'));
    const cache = await FeatureCache.open(directory, 2);
    cache.add('aa', Float32Array.of(1, 2), 'sharp');
    cache.addFailure('zz', 'cannot decode');
    const writing = cache.flush();
    cache.add('bb', Float32Array.of(3, 4), 'sharp'); // while the first chunk is being written
    cache.addFailure('yy', 'cannot decode');
    await writing;
    await cache.flush();
    const reopened = await FeatureCache.open(directory, 2);
    expect(reopened.has('aa') && reopened.has('bb')).toBe(true);
    expect([reopened.failureOf('zz'), reopened.failureOf('yy')]).toEqual(['cannot decode', 'cannot decode']);
  });
});

describe('FeatureCache failures', () => {
  it('remembers contents that cannot be decoded, across opens', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'graft-cache-'));
    const cache = await FeatureCache.open(directory, 2);
    cache.addFailure('dd', 'cannot decode: bad huffman code');
    await cache.flush();
    const reopened = await FeatureCache.open(directory, 2);
    expect(reopened.failureOf('dd')).toBe('cannot decode: bad huffman code');
    expect(reopened.has('dd')).toBe(false);
  });

  it('reads features back from many chunks in any order', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'graft-cache-'));
    const cache = await FeatureCache.open(directory, 2);
    for (let i = 0; i < 40; i++) {
      cache.add(`h${i}`, Float32Array.of(i, -i), 'tfjs-wasm');
      if (i % 3 === 2) await cache.flush(); // 14 chunks: more than are kept in memory
    }
    await cache.flush();
    const reopened = await FeatureCache.open(directory, 2);
    const target = new Float32Array(2);
    for (const i of [39, 0, 17, 5, 38, 1, 22]) {
      await reopened.copyInto(`h${i}`, target, 0);
      expect(Array.from(target)).toEqual([i, -i]);
    }
  });
});
