import { describe, expect, it } from 'vitest';
import { predictionSpread, labelFreeDiagnostics, type LabelFreeDiagnostics } from '../src/diagnostics.js';
import { recommend, RECOMMENDATION_RULE } from '../src/recommendation.js';
import type { DomainData } from '../src/domain-data.js';
import type { Classifier } from '../src/selection.js';

const healthy: LabelFreeDiagnostics = { sourceValidationAccuracy: 0.9, sourceValidationImages: 100, reverseValidationAccuracy: 0.6, targetClassBalance: 0.95, targetConfidence: 0.7 };
const candidate = (method: string, changes: Partial<LabelFreeDiagnostics> = {}) => ({ method, diagnostics: { ...healthy, ...changes } });

describe('the recommendation (no target labels)', () => {
  it('keeps the baseline (train-head) when no adapted model beats its reverse validation by the margin', () => {
    const r = recommend([candidate('train-head'), candidate('source-only', { reverseValidationAccuracy: 0.61 }), candidate('mmd', { reverseValidationAccuracy: 0.615 })])!;
    expect(r.method).toBe('train-head');
    expect(r.rule).toBe(RECOMMENDATION_RULE);
    expect(r.verdicts.find((v) => v.method === 'mmd')).toMatchObject({ eligible: false, collapsed: false });
  });

  it('recommends the adapted model with the highest reverse validation among those that pass the guards', () => {
    const r = recommend([candidate('train-head'), candidate('coral', { reverseValidationAccuracy: 0.65 }), candidate('mmd', { reverseValidationAccuracy: 0.7 })])!;
    expect(r.method).toBe('mmd');
  });

  it('never recommends a collapsed model, however good its other scores look', () => {
    const collapsedBalance = candidate('dann', { reverseValidationAccuracy: 0.95, targetClassBalance: 0.4 });
    const collapsedConfidence = candidate('cdan', { reverseValidationAccuracy: 0.95, targetConfidence: 0.2 });
    const r = recommend([candidate('train-head'), collapsedBalance, collapsedConfidence, candidate('coral', { reverseValidationAccuracy: 0.63 })])!;
    expect(r.method).toBe('coral');
    expect(r.verdicts.filter((v) => v.collapsed).map((v) => v.method)).toEqual(['dann', 'cdan']);
  });

  it('refuses a model whose source validation accuracy fell, and falls back on source-only without a train head', () => {
    const r = recommend([candidate('source-only'), candidate('dann', { reverseValidationAccuracy: 0.8, sourceValidationAccuracy: 0.8 })])!;
    expect(r.method).toBe('source-only');
    expect(r.verdicts[1]!.reason).toMatch(/source validation/);
    expect(recommend([candidate('mmd')])).toBeUndefined();
    // On 27 validation images: one image less of source validation is within the guard, two are not;
    // reverse validation must gain two images (7.4 points), not just 2 points.
    const small = (method: string, accuracy: number, reverse: number) => candidate(method, { sourceValidationImages: 27, sourceValidationAccuracy: accuracy, reverseValidationAccuracy: reverse });
    expect(recommend([small('train-head', 19 / 27, 16 / 27), small('mmd', 18 / 27, 18 / 27)])!.method).toBe('mmd');
    expect(recommend([small('train-head', 19 / 27, 16 / 27), small('mmd', 17 / 27, 18 / 27)])!.method).toBe('train-head');
    expect(recommend([small('train-head', 19 / 27, 16 / 27), small('mmd', 19 / 27, 17 / 27)])!.method).toBe('train-head');
  });

  it('a model that predicts one class on the whole target is detected as collapsed from its probabilities alone', () => {
    const classCount = 4;
    const rows = 40;
    const target = { features: new Float32Array(rows), count: rows };
    const data = { dimension: 1, classCount, target, sourceValidation: { features: new Float32Array(8), labels: Int32Array.from({ length: 8 }, (_, i) => i % classCount), count: 8 } } as unknown as DomainData;
    const probabilitiesOf = (pick: (row: number) => number) => (features: Float32Array, count: number) => {
      const p = new Float32Array(count * classCount).fill(0.1 / (classCount - 1));
      for (let i = 0; i < count; i++) p[i * classCount + pick(i)] = 0.9;
      return { probabilities: p };
    };
    const spread: Classifier = { infer: probabilitiesOf((i) => i % classCount) };
    const oneClass: Classifier = { infer: probabilitiesOf(() => 2) };
    expect(predictionSpread(spread.infer(target.features, rows).probabilities, classCount).classBalance).toBeCloseTo(1, 6);
    expect(predictionSpread(oneClass.infer(target.features, rows).probabilities, classCount).classBalance).toBe(0);
    const flattering = () => 1; // a reverse-validation score that would pick it
    const r = recommend([
      { method: 'train-head', diagnostics: labelFreeDiagnostics(spread, data, () => 0.5) },
      { method: 'dann', diagnostics: labelFreeDiagnostics(oneClass, data, flattering) },
    ])!;
    expect(r.method).toBe('train-head');
    expect(r.verdicts[1]).toMatchObject({ collapsed: true });
  });
});
