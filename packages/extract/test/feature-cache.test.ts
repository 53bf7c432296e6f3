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
    expect(reopened.copyInto('bb', target, 0)).toBe('onnxruntime');
    expect(Array.from(target)).toEqual([4, 5, 6]);
    expect(reopened.damaged).toEqual(['chunk-broken.parquet']);
    expect(readdirSync(directory)).toContain('chunk-broken.parquet.damaged');
  });
});
