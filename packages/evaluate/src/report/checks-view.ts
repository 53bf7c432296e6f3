import { existsSync } from 'node:fs';
import { mapConcurrent } from '@graft/core';
import { readDoctorTable } from '@graft/doctor/tables';
import type { ManifestRow } from '@graft/split';
import type { DoctorSummary, LeakRescoring } from '../data-checks.js';
import { thumbnailOf, type Thumbnail } from './thumbnails.js';

/** How many items of each finding the page shows (all are in the doctor's Parquet tables). */
export const CHECKS_LISTED = 24;

/** One image of a finding as the page shows it. */
export interface CheckedImage {
  readonly path: string;
  readonly className: string;
  readonly split: string;
  readonly thumbnail: Thumbnail | undefined;
}

/** The doctor's findings as the report shows them. */
export interface ChecksView {
  readonly summary: DoctorSummary;
  readonly withoutLeaks: LeakRescoring | undefined;
  /** Pairs that matter (label conflicts and leaks), most serious first. */
  readonly pairs: { kind: string; finding: string; similarity: number; a: CheckedImage; b: CheckedImage }[];
  readonly labelIssues: { image: CheckedImage; givenProbability: number; suggestedClass: string; suggestedProbability: number }[];
  readonly outliers: { image: CheckedImage; score: number; robustZ: number }[];
}

const SERIOUS = ['label-conflict', 'test-leak', 'validation-leak'];

/** Read the doctor's tables (top of each finding) and make thumbnails from the dataset folder when there is one. */
export async function checksView(
  paths: { duplicates: string; labelIssues: string; outliers: string }, summary: DoctorSummary, withoutLeaks: LeakRescoring | undefined,
  rowsByPath: ReadonlyMap<string, ManifestRow>, dataDir: string | undefined,
): Promise<ChecksView> {
  const read = async (path: string, output: 'duplicates' | 'labelIssues' | 'outliers') => (existsSync(path) ? readDoctorTable(path, output) : []);
  const canThumbnail = dataDir !== undefined && existsSync(dataDir);
  const image = async (path: unknown, className: unknown, split: unknown): Promise<CheckedImage> => {
    const row = rowsByPath.get(String(path));
    return { path: String(path), className: String(className), split: String(split), thumbnail: canThumbnail && row ? await thumbnailOf(row, dataDir!) : undefined };
  };
  const duplicates = (await read(paths.duplicates, 'duplicates'))
    .filter((p) => SERIOUS.includes(String(p.finding)))
    .sort((p, q) => SERIOUS.indexOf(String(p.finding)) - SERIOUS.indexOf(String(q.finding)))
    .slice(0, CHECKS_LISTED);
  const issues = (await read(paths.labelIssues, 'labelIssues')).filter((r) => r.flagged).slice(0, CHECKS_LISTED);
  const outliers = (await read(paths.outliers, 'outliers')).filter((r) => r.flagged).slice(0, CHECKS_LISTED);
  return {
    summary,
    withoutLeaks,
    pairs: await mapConcurrent(duplicates, 4, async (p) => ({
      kind: String(p.kind), finding: String(p.finding), similarity: Number(p.similarity),
      a: await image(p.path_a, p.class_name_a, p.split_a), b: await image(p.path_b, p.class_name_b, p.split_b),
    })),
    labelIssues: await mapConcurrent(issues, 4, async (r) => ({
      image: await image(r.path, r.class_name, r.split), givenProbability: Number(r.given_probability), suggestedClass: String(r.suggested_class), suggestedProbability: Number(r.suggested_probability),
    })),
    outliers: await mapConcurrent(outliers, 4, async (r) => ({ image: await image(r.path, r.class_name, r.split), score: Number(r.score), robustZ: Number(r.robust_z) })),
  };
}
