import { describe, expect, it } from 'vitest';
import { assignClassSplits, countSplits, pathPercentage, splitOfPercentage } from '../src/assign-split.js';

describe('pathPercentage', () => {
  // Expected values computed independently with retrain.py's formula in Python:
  // ((int(sha1(name).hexdigest(), 16) % (2**27)) * (100.0 / (2**27 - 1)))
  it.each([
    ['daisy/100080576_f52e8ee070_n.jpg', 65.53675357652271],
    ['a.jpg', 81.5861566482943],
    ['klasse/ü #&.png', 38.88407453063186],
  ])('matches retrain.py for %s', (name, expected) => {
    expect(pathPercentage(name)).toBeCloseTo(expected, 10);
  });

  it('groups x_nohash_1 and x_nohash_2 with x', () => {
    expect(pathPercentage('roses/x_nohash_1.jpg')).toBe(pathPercentage('roses/x_nohash_2.jpg'));
    expect(pathPercentage('roses/x_nohash_1.jpg')).toBeCloseTo(61.89431892256676, 10);
  });
});

describe('splitOfPercentage', () => {
  it('follows retrain.py bands: validation, then test, then train', () => {
    expect(splitOfPercentage(5, 10, 10)).toBe('validation');
    expect(splitOfPercentage(15, 10, 10)).toBe('test');
    expect(splitOfPercentage(20, 10, 10)).toBe('train');
  });
});

describe('assignClassSplits', () => {
  it('gives every split at least one image when a class has 3 or more', () => {
    for (let size = 3; size <= 12; size++) {
      const paths = Array.from({ length: size }, (_, i) => `c/img${i}.jpg`);
      const counts = countSplits(assignClassSplits(paths, 10, 10));
      expect(counts.train).toBeGreaterThan(0);
      expect(counts.validation).toBeGreaterThan(0);
      expect(counts.test).toBeGreaterThan(0);
    }
  });

  it('never moves existing images when images are added to a large class', () => {
    const before = Array.from({ length: 200 }, (_, i) => `c/img${i}.jpg`);
    const after = [...before, ...Array.from({ length: 20 }, (_, i) => `c/new${i}.jpg`)];
    const splitsBefore = assignClassSplits(before, 10, 10);
    const splitsAfter = assignClassSplits(after, 10, 10);
    expect(splitsAfter.slice(0, before.length)).toEqual(splitsBefore);
  });

  it('roughly honours the percentages', () => {
    const paths = Array.from({ length: 5000 }, (_, i) => `c/${i}.jpg`);
    const counts = countSplits(assignClassSplits(paths, 10, 20));
    expect(counts.validation / 5000).toBeCloseTo(0.1, 1);
    expect(counts.test / 5000).toBeCloseTo(0.2, 1);
  });
});

describe('assignClassSplits with a test pattern', () => {
  it('puts exactly the matching paths in test and the rest in validation or train by hash', () => {
    const paths = Array.from({ length: 200 }, (_, i) => `shirt/${i % 4 === 0 ? 'test' : 'train'}-${i}.png`);
    const splits = assignClassSplits(paths, 10, 10, /\/test-/);
    paths.forEach((path, i) => expect(splits[i] === 'test').toBe(path.includes('/test-')));
    const others = paths.filter((path) => !path.includes('/test-'));
    others.forEach((path) => expect(splits[paths.indexOf(path)]).toBe(splitOfPercentage(pathPercentage(path), 10, 0)));
    expect(countSplits(splits).validation).toBeGreaterThan(5);
  });
});

