import { describe, expect, it } from 'vitest';
import { classificationMetrics } from '../src/metrics.js';

describe('classificationMetrics', () => {
  it('computes accuracy, the confusion matrix and per-class precision / recall / F1', () => {
    const truth = [0, 0, 0, 1, 1, 2];
    const predicted = [0, 0, 1, 1, 0, 1];
    const metrics = classificationMetrics(truth, predicted, ['a', 'b', 'c']);
    expect(metrics.accuracy).toBeCloseTo(3 / 6);
    expect(metrics.confusion).toEqual([[2, 1, 0], [1, 1, 0], [0, 1, 0]]);
    expect(metrics.perClass[0]).toMatchObject({ precision: 2 / 3, recall: 2 / 3, support: 3 });
    expect(metrics.perClass[1]).toMatchObject({ precision: 1 / 3, recall: 1 / 2, support: 2 });
    // class c is never predicted: precision is undefined (null), recall 0
    expect(metrics.perClass[2]).toMatchObject({ precision: null, recall: 0, f1: null, support: 1 });
  });
});
