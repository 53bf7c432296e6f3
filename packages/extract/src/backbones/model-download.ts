import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { BackboneError, sha256, stableStringify, writeFileAtomic } from '@graft/core/base';

/** Where downloaded models are kept: $GRAFT_CACHE_DIR, else $XDG_CACHE_HOME/graft, else ~/.cache/graft. */
export function modelCacheRoot(environment: NodeJS.ProcessEnv = process.env): string {
  if (environment.GRAFT_CACHE_DIR) return resolve(environment.GRAFT_CACHE_DIR);
  return join(environment.XDG_CACHE_HOME ? resolve(environment.XDG_CACHE_HOME) : join(homedir(), '.cache'), 'graft');
}

/** What was downloaded for a model URL: every file with its sha256 (checked on each use). */
export interface DownloadRecord {
  readonly url: string;
  readonly files: Record<string, string>;
}

export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/**
 * A tfjs model given by URL, downloaded once (model.json and its weight files) into the model
 * cache and verified by sha256 on every later use; returns the local model.json path and the record.
 * A damaged or partial cache entry is downloaded again.
 */
export async function downloadModel(url: string, cacheRoot = modelCacheRoot()): Promise<{ path: string; record: DownloadRecord }> {
  const folder = join(cacheRoot, 'models', sha256(url).slice(0, 24));
  const recordPath = join(folder, 'download.json');
  if (existsSync(recordPath)) {
    const record = JSON.parse(await readFile(recordPath, 'utf8')) as DownloadRecord;
    if (await verify(folder, record)) return { path: join(folder, 'model.json'), record };
  }
  await mkdir(folder, { recursive: true });
  const modelJsonBytes = await fetchBytes(url);
  let modelJson: { weightsManifest?: { paths: string[] }[] };
  try {
    modelJson = JSON.parse(new TextDecoder().decode(modelJsonBytes));
  } catch (error) {
    throw new BackboneError(`${url} is not JSON: not a tfjs model.json`, { cause: error });
  }
  const files: Record<string, string> = { 'model.json': sha256(modelJsonBytes) };
  for (const group of modelJson.weightsManifest ?? []) {
    for (const path of group.paths) {
      if (path.includes('..') || path.startsWith('/')) throw new BackboneError(`${url}: weight path ${path} leaves the model folder`);
      const bytes = await fetchBytes(new URL(path, url).href);
      await writeFileAtomic(join(folder, path), bytes);
      files[path] = sha256(bytes);
    }
  }
  await writeFileAtomic(join(folder, 'model.json'), modelJsonBytes);
  const record: DownloadRecord = { url, files };
  await writeFileAtomic(recordPath, stableStringify(record, 2));
  return { path: join(folder, 'model.json'), record };
}

/**
 * A single-file model (.tflite) given by URL, downloaded once into the model cache and verified
 * by sha256 on every later use; returns the local path.
 */
export async function downloadFile(url: string, cacheRoot = modelCacheRoot()): Promise<{ path: string; record: DownloadRecord }> {
  const folder = join(cacheRoot, 'models', sha256(url).slice(0, 24));
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'model');
  const recordPath = join(folder, 'download.json');
  if (existsSync(recordPath)) {
    const record = JSON.parse(await readFile(recordPath, 'utf8')) as DownloadRecord;
    if (record.files[name] && (await verify(folder, record))) return { path: join(folder, name), record };
  }
  await mkdir(folder, { recursive: true });
  const bytes = await fetchBytes(url);
  await writeFileAtomic(join(folder, name), bytes);
  const record: DownloadRecord = { url, files: { [name]: sha256(bytes) } };
  await writeFileAtomic(recordPath, stableStringify(record, 2));
  return { path: join(folder, name), record };
}

async function verify(folder: string, record: DownloadRecord): Promise<boolean> {
  for (const [file, expected] of Object.entries(record.files)) {
    try {
      if (sha256(await readFile(join(folder, file))) !== expected) return false;
    } catch {
      return false;
    }
  }
  return true;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new BackboneError(`cannot download ${url}: ${(error as Error).message} (no network? download it yourself and pass --model <path>)`, { cause: error });
  }
  if (!response.ok) throw new BackboneError(`cannot download ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
