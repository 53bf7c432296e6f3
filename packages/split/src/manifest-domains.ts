import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { artifactPath, readProvenance, stageDir, type ResolvedFolders, type StageOutcome, type StageSpec } from '@graft/core/base';
import { splitStage } from './spec.js';

/** Whether a manifest holds target-domain rows (split ran with `--target`). */
export async function manifestHasTarget(manifestPath: string): Promise<boolean> {
  // Arrow and Parquet load here, not with this module: `graft status` mostly answers from provenance.
  const { readManifest, domainOf } = await import('./tables.js');
  return (await readManifest(manifestPath)).some((row) => domainOf(row) === 'target');
}

/**
 * Whether split's output in `out` holds target-domain rows, read as cheaply as possible: split
 * records its target folder in its provenance, so a split without one (the usual case) is answered
 * from provenance.json; only with one is the manifest read. False without a manifest.
 */
export async function splitHasTarget(out: string): Promise<boolean> {
  const manifest = artifactPath(out, 'split', splitStage.outputs.manifest);
  if (!existsSync(manifest)) return false;
  const provenance = readProvenance(out, splitStage);
  if (provenance && !('target' in provenance)) return false;
  return manifestHasTarget(manifest);
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
