import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { moduleDir } from '@graft/core/base';

/** One measured accuracy of a backbone on a dataset (written by bench/backbone-table.ts --write). */
export interface MeasuredAccuracy {
  readonly dataset: string;
  readonly backbone: string;
  readonly folds: number;
  readonly cvAccuracy: number;
  readonly cvAccuracySd: number;
}

/** The measured demo accuracies shipped with the package, and how they were measured; empty when absent. */
export function measuredAccuracies(): { command: string; method: string; results: MeasuredAccuracy[] } {
  try {
    return JSON.parse(readFileSync(join(moduleDir(import.meta.url), '..', '..', 'measured', 'backbone-accuracy.json'), 'utf8'));
  } catch {
    return { command: '', method: '', results: [] };
  }
}
