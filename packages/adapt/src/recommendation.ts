import type { LabelFreeDiagnostics } from './diagnostics.js';

/** The baseline of the recommendation: the train stage's head, what users deploy without --target… */
export const BASELINE_METHOD = 'train-head';
/** …or, when train has not run, adapt's own model without adaptation loss (always trained). */
export const FALLBACK_BASELINE = 'source-only';

/** Thresholds of the rule (fractions: 0.03 = 3 points). */
export const RECOMMENDATION_THRESHOLDS = {
  /** A candidate's target class balance may fall at most this far below the baseline's (normalised entropy, 0–1). */
  classBalanceDrop: 0.1,
  /** A candidate's mean top probability on the target must be at least this fraction of the baseline's. */
  confidenceRatio: 0.5,
  /** A candidate's source validation accuracy may fall at most this far below the baseline's (or one validation image, if that is more). */
  sourceValidationDrop: 0.03,
  /** A candidate's reverse-validation accuracy must beat the baseline's by at least this much (or two validation images, if that is more). */
  reverseValidationGain: 0.02,
} as const;

const t = RECOMMENDATION_THRESHOLDS;
const points = (x: number) => `${(100 * x).toFixed(0)} points`;

/** The rule, as the stage states it in its outputs and the report. */
export const RECOMMENDATION_RULE =
  `the baseline — ${BASELINE_METHOD} (the train stage's head, deployed without --target; ${FALLBACK_BASELINE} when train has not run) — unless an adapted model passes every guard without target labels — target predicted-class balance ` +
  `(normalised entropy) at most ${t.classBalanceDrop} below the baseline's, mean target confidence at least ${t.confidenceRatio}× the baseline's, ` +
  `source validation accuracy at most ${points(t.sourceValidationDrop)} (or one image) below the baseline's — and beats the baseline's reverse-validation ` +
  `accuracy by at least ${points(t.reverseValidationGain)} (or two images); then the one with the highest reverse-validation accuracy`;

export interface Candidate {
  readonly method: string;
  readonly diagnostics: LabelFreeDiagnostics;
}

export interface Verdict {
  readonly method: string;
  /** Collapsed target predictions (class balance or confidence guard failed): never recommended. */
  readonly collapsed: boolean;
  readonly eligible: boolean;
  /** Why it is or is not recommendable, in a few words. */
  readonly reason: string;
}

export interface Recommendation {
  readonly method: string;
  readonly verdicts: Verdict[];
  readonly rule: string;
}

function verdict(candidate: Candidate, baseline: LabelFreeDiagnostics, baselineMethod: string): Verdict {
  const d = candidate.diagnostics;
  if (candidate.method === baselineMethod) return { method: candidate.method, collapsed: false, eligible: true, reason: 'baseline' };
  const collapse = [
    d.targetClassBalance < baseline.targetClassBalance - t.classBalanceDrop ? `target class balance ${d.targetClassBalance.toFixed(2)} vs ${baseline.targetClassBalance.toFixed(2)}` : '',
    d.targetConfidence < t.confidenceRatio * baseline.targetConfidence ? `target confidence ${d.targetConfidence.toFixed(2)} vs ${baseline.targetConfidence.toFixed(2)}` : '',
  ].filter(Boolean);
  if (collapse.length > 0) return { method: candidate.method, collapsed: true, eligible: false, reason: `collapsed: ${collapse.join(', ')}` };
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
  const allowedDrop = Math.max(t.sourceValidationDrop, 1 / Math.max(1, d.sourceValidationImages)) + 1e-9;
  if (d.sourceValidationAccuracy < baseline.sourceValidationAccuracy - allowedDrop) {
    return { method: candidate.method, collapsed: false, eligible: false, reason: `source validation ${percent(d.sourceValidationAccuracy)} vs ${percent(baseline.sourceValidationAccuracy)}` };
  }
  const requiredGain = Math.max(t.reverseValidationGain, 2 / Math.max(1, d.sourceValidationImages)) - 1e-9;
  if (d.reverseValidationAccuracy < baseline.reverseValidationAccuracy + requiredGain) {
    return { method: candidate.method, collapsed: false, eligible: false, reason: `reverse validation ${percent(d.reverseValidationAccuracy)} not ${(100 * requiredGain).toFixed(1)} points above ${percent(baseline.reverseValidationAccuracy)}` };
  }
  return { method: candidate.method, collapsed: false, eligible: true, reason: `reverse validation ${percent(d.reverseValidationAccuracy)} vs ${percent(baseline.reverseValidationAccuracy)}` };
}

/**
 * The model to deploy, chosen without target labels (RECOMMENDATION_RULE). `candidates` must include
 * a baseline (train-head, else source-only); without one nothing can be recommended safely and the
 * result is undefined.
 */
export function recommend(candidates: readonly Candidate[]): Recommendation | undefined {
  const baseline = candidates.find((c) => c.method === BASELINE_METHOD) ?? candidates.find((c) => c.method === FALLBACK_BASELINE);
  if (!baseline) return undefined;
  const verdicts = candidates.map((c) => verdict(c, baseline.diagnostics, baseline.method));
  const rv = (method: string) => candidates.find((c) => c.method === method)!.diagnostics.reverseValidationAccuracy;
  const best = verdicts.filter((v) => v.eligible && v.method !== baseline.method).sort((a, b) => rv(b.method) - rv(a.method))[0];
  return { method: best?.method ?? baseline.method, verdicts, rule: RECOMMENDATION_RULE };
}
