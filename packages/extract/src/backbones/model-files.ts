import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackboneError, sha256, writeFileAtomic } from '@graft/core/base';
import { isUrl, modelCacheRoot } from './model-download.js';

/** A model file pinned by URL and sha256. */
export interface PinnedFile {
  readonly file: string;
  readonly url: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** Where a pinned file was found. */
export type FileOrigin = 'cache' | 'mirror' | 'download';

/** The cache path of a pinned file (whether or not it is there). */
export function pinnedFilePath(pinned: PinnedFile, cacheRoot = modelCacheRoot()): string {
  return join(cacheRoot, 'files', pinned.sha256.slice(0, 24), pinned.file);
}

/**
 * The bytes of a pinned model file: from the model cache, else from `GRAFT_MODEL_MIRROR` (a folder or
 * a base URL holding the same file name), else from its public URL — always checked against the
 * sha256, and cached. Offline with neither, one error line that says what to download and where to
 * put it.
 */
export async function pinnedFileBytes(pinned: PinnedFile, what: string, environment: NodeJS.ProcessEnv = process.env): Promise<{ bytes: Uint8Array; origin: FileOrigin }> {
  const cached = pinnedFilePath(pinned, modelCacheRoot(environment));
  if (existsSync(cached)) {
    const bytes = new Uint8Array(await readFile(cached));
    if (sha256(bytes) === pinned.sha256) return { bytes, origin: 'cache' };
  }
  const mirror = environment.GRAFT_MODEL_MIRROR;
  const failures: string[] = [];
  const sources: { origin: FileOrigin; location: string }[] = [
    ...(mirror ? [{ origin: 'mirror' as const, location: isUrl(mirror) ? `${mirror.replace(/\/$/, '')}/${pinned.file}` : join(mirror, pinned.file) }] : []),
    { origin: 'download', location: pinned.url },
  ];
  for (const { origin, location } of sources) {
    let bytes: Uint8Array;
    try {
      bytes = isUrl(location) ? await fetchBytes(location) : new Uint8Array(await readFile(location));
    } catch (error) {
      failures.push(`${location}: ${(error as Error).message}`);
      continue;
    }
    if (sha256(bytes) !== pinned.sha256) {
      failures.push(`${location}: sha256 ${sha256(bytes).slice(0, 12)}… is not the pinned ${pinned.sha256.slice(0, 12)}…`);
      continue;
    }
    await writeFileAtomic(cached, bytes);
    return { bytes, origin };
  }
  throw new BackboneError(
    `${what} needs ${pinned.file} (${(pinned.bytes / 1e6).toFixed(1)} MB, sha256 ${pinned.sha256.slice(0, 12)}…) and could not get it (${failures.join('; ')}): ` +
      `download ${pinned.url} into a folder and set GRAFT_MODEL_MIRROR=<that folder>, or use a bundled backbone`,
  );
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
