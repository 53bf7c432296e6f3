import { join } from 'node:path';
import type { OutputSpec, StageName } from './spec.js';

/** Folder of a stage's outputs: `<out>/<stage>/`. */
export function stageDir(out: string, stage: StageName): string {
  return join(out, stage);
}

/** Path of one declared artifact. */
export function artifactPath(out: string, stage: StageName, output: OutputSpec): string {
  return join(out, stage, output.file);
}

/** Folder of caches that outlive stage runs (the feature cache): `<out>/cache/`. */
export function cacheDir(out: string): string {
  return join(out, 'cache');
}

/** Name of the provenance record in every stage folder. */
export const PROVENANCE_FILE = 'provenance.json';
