import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { artifactPath, stageDir, type ResolvedFolders, type StageOutcome, type StageSpec } from '@graft/core';
import { readManifest, domainOf } from './tables.js';
import { splitStage } from './spec.js';

/** Whether a manifest holds target-domain rows (split ran with `--target`). */
export async function manifestHasTarget(manifestPath: string): Promise<boolean> {
  return (await readManifest(manifestPath)).some((row) => domainOf(row) === 'target');
}

/**
 * For stages that need a target domain (`needsTarget`): when the manifest has none, the stage does
 * nothing — its folder, left from an earlier run with a target, is removed so no later stage reads
 * stale results — and reports that it did not apply. Undefined when the stage should run.
 */
export async function skipWithoutTarget(spec: StageSpec, folders: ResolvedFolders, quiet: boolean): Promise<StageOutcome | undefined> {
  const manifest = artifactPath(folders.out, 'split', splitStage.outputs.manifest);
  if (!existsSync(manifest) || (await manifestHasTarget(manifest))) return undefined;
  const folder = stageDir(folders.out, spec.name);
  const stale = existsSync(folder);
  if (stale) await rm(folder, { recursive: true, force: true });
  if (!quiet) process.stderr.write(`${spec.name}: no target domain in the manifest (graft run --target <folder>): nothing to do${stale ? `; removed the stale ${folder}` : ''}\n`);
  return { skipped: true, summary: { targetDomain: false } };
}
