import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { moduleDir } from '@graft/core';

/** How one threshold was measured: known copies found and distinct images above it. */
export interface ThresholdMeasurement {
  readonly threshold: number;
  readonly copies: number;
  readonly distinct: number;
  /** Share of known copies at or above the threshold, per kind of copy. */
  readonly copyRecall: Record<string, number>;
  readonly distinctAbove: number;
}

/** Near-duplicate thresholds measured by bench/doctor-threshold.ts --write. */
export interface MeasuredThresholds {
  readonly command: string;
  readonly method: string;
  readonly pixels: ThresholdMeasurement;
  /** Per backbone; `fallback` for model files given by --model. */
  readonly features: { readonly fallback: number; readonly backbones: Record<string, ThresholdMeasurement> };
}

/** Used when the measured file is missing (a damaged install): conservative similarities. */
const BUILT_IN = { pixels: 0.995, features: 0.95 };

export function measuredThresholds(): MeasuredThresholds | undefined {
  try {
    return JSON.parse(readFileSync(join(moduleDir(import.meta.url), '..', 'measured', 'near-duplicate-threshold.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The near-duplicate rule of a run: what is compared, the threshold, and where the threshold comes from. */
export function nearThreshold(by: 'pixels' | 'features', param: string, backboneId: string): { threshold: number; source: string } {
  if (param !== 'auto') return { threshold: Number(param), source: '--doctor-near-threshold' };
  const measured = measuredThresholds();
  if (!measured) return { threshold: BUILT_IN[by], source: 'built-in (the measured thresholds file is missing)' };
  if (by === 'pixels') return { threshold: measured.pixels.threshold, source: `measured on ${measured.pixels.copies} known copies vs ${measured.pixels.distinct} distinct images` };
  const own = measured.features.backbones[backboneId];
  if (own) return { threshold: own.threshold, source: `measured for ${backboneId} on ${own.copies} known copies vs ${own.distinct} distinct images` };
  return { threshold: measured.features.fallback, source: `no measurement for ${backboneId}: the highest of the measured backbones' thresholds (the fewest false alarms)` };
}
