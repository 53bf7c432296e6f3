import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '@graft/core';
import type { ManifestRow } from '@graft/split';
import { searchNeighbours, BLOCK_ROWS } from '../src/neighbours.js';
import { unitRows } from '../src/unit-rows.js';
import { exactDuplicatePairs, leakedTestRows, pairFinding, describePair } from '../src/findings.js';
import { labelIssues, suspicionOrder } from '../src/label-issues.js';
import { outlierScores, OUTLIER_Z } from '../src/outliers.js';
import { pixelDescriptor } from '../src/pixel-descriptors.js';
import { knownCopy } from '../src/known-copies.js';
import { nearThreshold } from '../src/near-threshold.js';

const DEMO = join(import.meta.dirname, '..', '..', '..', 'data', 'emoji-demo5', 'noto');

function randomRows(count: number, dimension: number, seed: number): Float32Array {
  const random = new SeededRandom(seed);
  return Float32Array.from({ length: count * dimension }, () => random.next() * 2 - 1);
}

const row = (path: string, className: string, split: ManifestRow['split'], sha256 = path): ManifestRow =>
  ({ path, className, classIndex: className.charCodeAt(0), split, sha256, bytes: 1, format: 'png', width: 1, height: 1, domain: 'source' });

describe('searchNeighbours', () => {
  it('finds the same neighbours and pairs as a plain double loop, across block boundaries and odd widths', () => {
    const [count, dimension, k, threshold] = [BLOCK_ROWS + 37, 13, 5, 0.35];
    const unit = unitRows(randomRows(count, dimension, 3), dimension);
    const search = searchNeighbours(unit, dimension, { k, threshold, maxPairs: 1_000_000 });
    const cosine = (a: number, b: number) => unit.subarray(a * dimension, (a + 1) * dimension).reduce((sum, v, d) => sum + v * unit[b * dimension + d]!, 0);
    for (const i of [0, 1, BLOCK_ROWS - 1, BLOCK_ROWS, count - 1]) {
      const expected = Array.from({ length: count }, (_, j) => j).filter((j) => j !== i).sort((a, b) => cosine(i, b) - cosine(i, a)).slice(0, k);
      expect(Array.from(search.neighbours.subarray(i * k, (i + 1) * k))).toEqual(expected);
      expected.forEach((j, r) => expect(search.similarities[i * k + r]).toBeCloseTo(cosine(i, j), 5));
    }
    const expectedPairs: string[] = [];
    for (let a = 0; a < count; a++) for (let b = a + 1; b < count; b++) if (cosine(a, b) >= threshold + 1e-6) expectedPairs.push(`${a}-${b}`);
    const found = new Set(search.pairs.map((p) => `${p.a}-${p.b}`));
    for (const pair of expectedPairs) expect(found.has(pair), pair).toBe(true);
    expect(search.pairs.length).toBeGreaterThanOrEqual(expectedPairs.length);
    expect(search.pairs.length).toBeLessThan(expectedPairs.length + 5);
  });

  it('keeps at most maxPairs pairs and counts the rest', () => {
    const unit = unitRows(randomRows(50, 4, 5), 4);
    const all = searchNeighbours(unit, 4, { k: 0, threshold: 0, maxPairs: 1e9 });
    const capped = searchNeighbours(unit, 4, { k: 0, threshold: 0, maxPairs: 10 });
    expect(capped.pairs).toHaveLength(10);
    expect(capped.pairsNotKept).toBe(all.pairs.length - 10);
  });
});

describe('pairs of copies and what they mean', () => {
  it('groups same-content rows and names the finding', () => {
    const rows = [row('a/1', 'a', 'train', 'x'), row('b/1', 'b', 'train', 'x'), row('a/2', 'a', 'test', 'y'), row('a/3', 'a', 'train', 'y'), row('a/4', 'a', 'validation', 'z')];
    expect(exactDuplicatePairs(rows)).toEqual([[0, 1], [2, 3]]);
    expect(pairFinding(rows[0]!, rows[1]!)).toBe('label-conflict');
    expect(pairFinding(rows[2]!, rows[3]!)).toBe('test-leak');
    expect(pairFinding(rows[3]!, rows[4]!)).toBe('validation-leak');
    expect(pairFinding(rows[0]!, rows[3]!)).toBe('same-class');
    const pairs = exactDuplicatePairs(rows).map(([a, b]) => describePair(rows, 'exact', a, b, 1));
    expect(leakedTestRows(rows, pairs)).toEqual([2]);
  });
});

describe('labelIssues (confident learning)', () => {
  it('flags an image whose out-of-fold probability is confidently another class, and ranks it first', () => {
    // Three images labelled 0, two labelled 1; image 2 looks like class 1.
    const probabilities = Float32Array.from([0.9, 0.1, 0.8, 0.2, 0.1, 0.9, 0.2, 0.8, 0.3, 0.7]);
    const labels = Int32Array.from([0, 0, 0, 1, 1]);
    const checks = labelIssues(probabilities, labels, 2);
    expect(checks.map((c) => c.flagged)).toEqual([false, false, true, false, false]);
    expect(checks[2]).toMatchObject({ suggestedClass: 1 });
    expect(checks[2]!.margin).toBeCloseTo(-0.8, 6);
    expect(suspicionOrder(checks)[0]).toBe(2);
  });
});

describe('outlierScores', () => {
  it('flags a vector like no class and not the class members', () => {
    const random = new SeededRandom(9);
    const dimension = 8;
    const count = 60;
    const features = new Float32Array((count + 1) * dimension);
    const labels = new Int32Array(count + 1);
    for (let r = 0; r < count; r++) {
      labels[r] = r % 2;
      for (let d = 0; d < dimension; d++) features[r * dimension + d] = (d % 2 === r % 2 ? 5 : 0.5) + random.next();
    }
    // An image active in a channel no class uses.
    features.set([0, 0, 0, -6, 0, 0, 0, 0], count * dimension);
    labels[count] = 0;
    const { flagged, robustZ } = outlierScores(features, dimension, labels, 2);
    expect(flagged[count]).toBe(true);
    expect(robustZ[count]).toBeGreaterThan(OUTLIER_Z);
    expect(flagged.slice(0, count).filter(Boolean)).toHaveLength(0);
  });
});

describe('pixelDescriptor', () => {
  it('barely moves for a resized or re-encoded copy and moves for another picture (measured threshold between them)', async () => {
    const bytes = readFileSync(join(DEMO, 'food', '1f347_grapes.jpg'));
    const other = readFileSync(join(DEMO, 'food', '1f346_eggplant.jpg'));
    const original = await pixelDescriptor(bytes, 1e8);
    const similarity = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);
    const { threshold } = nearThreshold('pixels', 'auto', 'any');
    for (const kind of ['resized', 'reencoded'] as const) expect(similarity(original, await pixelDescriptor(await knownCopy(bytes, kind), 1e8)), kind).toBeGreaterThanOrEqual(threshold);
    expect(similarity(original, await pixelDescriptor(other, 1e8))).toBeLessThan(threshold);
  });
});
