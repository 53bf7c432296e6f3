import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ManifestRow } from '@graft/split';

/** The parts of the doctor's summary.json evaluate uses. */
export interface DoctorSummary {
  readonly images: number;
  readonly exactDuplicates: Readonly<Record<string, number>>;
  readonly nearDuplicates: Readonly<Record<string, unknown>> & { readonly pairs: number; readonly by: string; readonly threshold: number };
  readonly leakedTestImages: readonly string[];
  readonly labelIssues: { readonly flagged: number; readonly outOfFoldAccuracy: number };
  readonly outliers: { readonly flagged: number };
}

/** The doctor's summary, when the doctor ran (an optional input). */
export async function readDoctorSummary(path: string): Promise<DoctorSummary | undefined> {
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, 'utf8')) as DoctorSummary;
}

/** The headline split's accuracy without the images the doctor found leaked from train / validation. */
export interface LeakRescoring {
  readonly leaked: number;
  readonly accuracy: number | null;
  readonly count: number;
}

/**
 * Re-score the evaluated rows without the leaked ones: the accuracy a user can quote when the test
 * split holds copies of training images (null when every evaluated image leaked).
 */
export function rescoreWithoutLeaks(rows: readonly ManifestRow[], evaluated: readonly number[], predicted: ArrayLike<number>, leakedPaths: readonly string[]): LeakRescoring {
  const leaked = new Set(leakedPaths);
  const kept = evaluated.filter((i) => !leaked.has(rows[i]!.path));
  const correct = kept.filter((i) => predicted[i] === rows[i]!.classIndex).length;
  return { leaked: evaluated.length - kept.length, accuracy: kept.length ? correct / kept.length : null, count: kept.length };
}
