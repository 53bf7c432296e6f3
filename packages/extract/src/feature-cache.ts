import { readdir, readFile, rename, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { artifactHeader, artifactMetadata, columnValues, featureVector, makeTable, parquetToTable, readFeatureColumn, removeStaleTemporaries, sha256, tableToParquet, writeFileAtomic } from '@graft/core';

const CACHE_SCHEMA = 'graft.feature-cache/1';
/** Decoded chunks kept in memory while features are read back (reads are mostly sequential). */
const CHUNKS_IN_MEMORY = 8;

interface Location {
  /** Chunk file name, or '' while the feature is pending (not yet flushed). */
  readonly chunk: string;
  readonly row: number;
  readonly engine: string;
}

/**
 * Features already computed, keyed by image content sha256, for one backbone identity.
 *
 * Stored as immutable Parquet chunk files named after their content and written atomically
 * (temp file + rename): an interrupted run loses at most the features not yet flushed, and two
 * processes filling the same cache never clash — at worst both compute an image, and either chunk
 * serves it. Only an index (sha256 → chunk, row) stays in memory; feature values are read back from
 * a few recently used chunks, so memory does not grow with the size of the cache.
 */
export class FeatureCache {
  private readonly index = new Map<string, Location>();
  private pending: { sha256: string; feature: Float32Array; engine: string }[] = [];
  private readonly pendingByHash = new Map<string, Float32Array>();
  private readonly loaded = new Map<string, Float32Array>();
  /** Contents that cannot be decoded, with the reason (persisted in `failures-*.json`). */
  private readonly failures = new Map<string, string>();
  private pendingFailures: { sha256: string; reason: string }[] = [];
  /** Chunk files that could not be read (renamed `*.damaged`), for the log. */
  readonly damaged: string[] = [];

  private constructor(
    readonly directory: string,
    readonly featureDim: number,
  ) {}

  /** Open (or create) the cache folder and index every readable chunk; damaged ones are set aside. */
  static async open(directory: string, featureDim: number): Promise<FeatureCache> {
    const cache = new FeatureCache(directory, featureDim);
    await mkdir(directory, { recursive: true });
    await removeStaleTemporaries(directory);
    const files = (await readdir(directory)).sort();
    for (const file of files) {
      try {
        if (file.startsWith('chunk-') && file.endsWith('.parquet')) cache.indexChunk(file, await cache.readChunk(file));
        else if (file.startsWith('failures-') && file.endsWith('.json')) cache.indexFailures(JSON.parse(await readFile(join(directory, file), 'utf8')));
      } catch {
        cache.damaged.push(file);
        await rename(join(directory, file), join(directory, `${file}.damaged`)).catch(() => undefined);
      }
    }
    return cache;
  }

  private async readChunk(file: string): Promise<arrow.Table> {
    const table = parquetToTable(await readFile(join(this.directory, file)));
    if (artifactHeader(table)?.schema !== CACHE_SCHEMA) throw new Error(`${file} is not a feature cache chunk`);
    return table;
  }

  private indexChunk(file: string, table: arrow.Table): void {
    const { dimension } = readFeatureColumn(table, 'feature');
    if (dimension !== this.featureDim) throw new Error(`chunk has ${dimension}-d features, expected ${this.featureDim}`);
    const engines = columnValues<string>(table, 'engine');
    columnValues<string>(table, 'sha256').forEach((hash, row) => this.index.set(hash, { chunk: file, row, engine: engines[row]! }));
  }

  private indexFailures(entries: unknown): void {
    if (!Array.isArray(entries)) throw new Error('not a failures list');
    for (const entry of entries as { sha256: string; reason: string }[]) this.failures.set(entry.sha256, entry.reason);
  }

  /** Why the content `hash` cannot be decoded, if an earlier run found out. */
  failureOf(hash: string): string | undefined {
    return this.failures.get(hash);
  }

  /** Record that the content `hash` cannot be decoded (persisted by the next `flush`). */
  addFailure(hash: string, reason: string): void {
    this.failures.set(hash, reason);
    this.pendingFailures.push({ sha256: hash, reason });
  }

  get size(): number {
    return this.index.size;
  }

  has(hash: string): boolean {
    return this.index.has(hash);
  }

  /** The engine that computed the cached feature of `hash`. */
  engineOf(hash: string): string {
    const location = this.index.get(hash);
    if (!location) throw new Error(`feature ${hash} is not cached`);
    return location.engine;
  }

  /** Copy the feature of `hash` into `target` at `offset`; returns the engine that computed it. */
  async copyInto(hash: string, target: Float32Array, offset: number): Promise<string> {
    const location = this.index.get(hash);
    if (!location) throw new Error(`feature ${hash} is not cached`);
    const values = location.chunk === '' ? this.pendingByHash.get(hash)! : await this.chunkValues(location.chunk);
    const start = location.chunk === '' ? 0 : location.row * this.featureDim;
    target.set(values.subarray(start, start + this.featureDim), offset);
    return location.engine;
  }

  private async chunkValues(file: string): Promise<Float32Array> {
    let values = this.loaded.get(file);
    if (values) {
      this.loaded.delete(file); // re-insert as most recently used
    } else {
      values = readFeatureColumn(await this.readChunk(file), 'feature').values;
      if (this.loaded.size >= CHUNKS_IN_MEMORY) this.loaded.delete(this.loaded.keys().next().value!);
    }
    this.loaded.set(file, values);
    return values;
  }

  /** Add a computed feature; it is persisted by the next `flush`. */
  add(hash: string, feature: Float32Array, engine: string): void {
    const copy = Float32Array.from(feature);
    this.pending.push({ sha256: hash, feature: copy, engine });
    this.pendingByHash.set(hash, copy);
    this.index.set(hash, { chunk: '', row: 0, engine });
  }

  get pendingCount(): number {
    return this.pending.length + this.pendingFailures.length;
  }

  /** Persist pending features as one new chunk file and pending failures as one list, each named after its content. */
  async flush(): Promise<void> {
    // Take what is pending before any await: entries added while the files are written go to the next flush.
    const failures = this.pendingFailures;
    this.pendingFailures = [];
    const batch = this.pending;
    this.pending = [];
    if (failures.length > 0) {
      const text = JSON.stringify(failures);
      await writeFileAtomic(join(this.directory, `failures-${sha256(text).slice(0, 24)}.json`), text);
    }
    if (batch.length === 0) return;
    const values = new Float32Array(batch.length * this.featureDim);
    batch.forEach((item, i) => values.set(item.feature, i * this.featureDim));
    const features = featureVector(values, this.featureDim);
    const table = makeTable(
      [
        { name: 'sha256', type: new arrow.Utf8(), values: batch.map((item) => item.sha256) },
        { name: 'engine', type: new arrow.Utf8(), values: batch.map((item) => item.engine) },
        { name: 'feature', type: features.type, values: features },
      ],
      artifactMetadata(CACHE_SCHEMA),
    );
    const file = `chunk-${sha256(batch.map((item) => item.sha256).join('\n')).slice(0, 24)}.parquet`;
    await writeFileAtomic(join(this.directory, file), tableToParquet(table));
    batch.forEach((item, row) => {
      this.index.set(item.sha256, { chunk: file, row, engine: item.engine });
      this.pendingByHash.delete(item.sha256);
    });
  }
}
