import { readFile } from 'node:fs/promises';
import { cpuCount, hashJson, mapConcurrent, sha256 } from '@graft/core/base';
import { scanDataset, type ScanResult } from './scan-dataset.js';

/**
 * Hash of everything split reads from a dataset folder: the class folders, the path and content
 * sha256 of every file in them, and the files left out while scanning. Equal hashes (and equal
 * params) mean split would write the same artifacts.
 */
export function datasetHash(scan: ScanResult, contentSha256: readonly string[]): string {
  return hashJson({
    classes: scan.classNames,
    files: scan.files.map((file, i) => [file.path, contentSha256[i]]),
    leftOut: scan.rejected.map((r) => [r.path, r.reason]),
  });
}

/** Scan a dataset folder and hash it as split does (reads every file); `onFile` counts files read. */
export async function fingerprintDataset(root: string, onFile: () => void = () => {}): Promise<{ hash: string; files: number }> {
  const scan = await scanDataset(root);
  const hashes = await mapConcurrent(scan.files, cpuCount() * 2, async (file) => {
    const hash = sha256(await readFile(file.absolutePath));
    onFile();
    return hash;
  });
  return { hash: datasetHash(scan, hashes), files: scan.files.length };
}
