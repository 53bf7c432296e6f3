import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Progress, cpuCount, mapConcurrent, sha256, stableStringify, writeFileAtomic } from '@graft/core';
import { inspectImage, type Inspection } from './inspect-image.js';

/** What split learns about one file: its content hash, size and whether it is a usable image. */
export interface FileCheck {
  readonly sha256: string;
  readonly bytes: number;
  readonly inspection: Inspection;
}

/** The file's identity on disk: a change to any of these means the file must be read again. */
interface FileStamp {
  readonly size: number;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
  readonly ino: string;
}

interface StoredCheck extends FileStamp, FileCheck {}

/** Bumped whenever inspectImage's verdicts can change: older check files are then ignored. */
const CHECKS_VERSION = 2;
/**
 * A file whose mtime is this close to (or after) the moment the checks were saved may have been
 * written again within the file system's timestamp granularity without its stamp changing ("racily
 * clean", as git calls it): it is read again.
 */
const RACY_WINDOW_NS = 2_000_000_000n;

/**
 * Checks of earlier split runs, keyed by absolute path and trusted only while the file's size,
 * mtime, ctime and inode are unchanged (as git's index does): a rerun after adding a few images
 * reads and decodes only those. Stored in `<out>/cache/split/checks-<max-pixels>.json` — a cache,
 * not an artifact: deleting it only costs time, and a damaged or older one is ignored.
 */
export class FileChecks {
  private readonly previous: Map<string, StoredCheck>;
  private readonly current = new Map<string, StoredCheck>();
  private readonly savedAtNs: bigint;
  /** Files read and inspected by this run (the rest came from the checks of earlier runs). */
  inspected = 0;

  private constructor(private readonly path: string, previous: Map<string, StoredCheck>, savedAtNs: bigint) {
    this.previous = previous;
    this.savedAtNs = savedAtNs;
  }

  static async open(cacheFolder: string, maxPixels: number): Promise<FileChecks> {
    const path = join(cacheFolder, 'split', `checks-${maxPixels}.json`);
    try {
      const stored = JSON.parse(await readFile(path, 'utf8')) as { version: number; savedAtNs: string; files: Record<string, StoredCheck> };
      if (stored.version !== CHECKS_VERSION) throw new Error('older checks');
      return new FileChecks(path, new Map(Object.entries(stored.files)), BigInt(stored.savedAtNs));
    } catch {
      return new FileChecks(path, new Map(), 0n);
    }
  }

  /** Check `absolutePath`: from an earlier run when its stamp is unchanged, else by reading it. */
  async check(absolutePath: string, maxPixels: number): Promise<FileCheck> {
    const stats = await stat(absolutePath, { bigint: true });
    const stamp: FileStamp = { size: Number(stats.size), mtimeNs: String(stats.mtimeNs), ctimeNs: String(stats.ctimeNs), ino: String(stats.ino) };
    const known = this.previous.get(absolutePath);
    if (known && sameStamp(known, stamp) && stats.mtimeNs < this.savedAtNs - RACY_WINDOW_NS) {
      this.current.set(absolutePath, known);
      return known;
    }
    const content = await readFile(absolutePath);
    const check: FileCheck = { sha256: sha256(content), bytes: content.byteLength, inspection: await inspectImage(content, maxPixels) };
    this.inspected++;
    // The stamp read before the content: a write in between shows up as a changed stamp next run.
    this.current.set(absolutePath, { ...stamp, ...check });
    return check;
  }

  /** Check every file with bounded concurrency, ticking a progress line. */
  async checkAll<T extends { absolutePath: string }>(files: readonly T[], maxPixels: number, label: string, quiet: boolean): Promise<(FileCheck & { file: T })[]> {
    const progress = new Progress(label, files.length, { quiet });
    const checked = await mapConcurrent(files, cpuCount() * 2, async (file) => {
      const check = await this.check(file.absolutePath, maxPixels);
      progress.tick();
      return { file, ...check };
    });
    progress.finish(this.inspected < files.length ? `${this.inspected} read, ${files.length - this.inspected} unchanged since the last run` : undefined);
    return checked;
  }

  /** Save this run's checks (only the files seen now: deleted files drop out). */
  async save(): Promise<void> {
    const files = Object.fromEntries([...this.current].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await writeFileAtomic(this.path, stableStringify({ version: CHECKS_VERSION, savedAtNs: String(nowNs()), files }));
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}

/** Wall-clock now in nanoseconds, the clock file mtimes are on. */
function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
