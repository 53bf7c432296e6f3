import { readdir, readFile, rename, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { columnValues, featureVector, makeTable, parquetToTable, readFeatureColumn, sha256, artifactHeader, artifactMetadata, writeFileAtomic, tableToParquet } from '@graft/core';

const CACHE_SCHEMA = 'graft.feature-cache/1';

interface Entry {
  readonly values: Float32Array;
  readonly row: number;
  readonly engine: string;
}

/**
 * Features already computed, keyed by image content sha256, for one backbone identity.
 * Stored as immutable Parquet chunk files named by their content, written atomically, so an
 * interrupted run loses at most the unflushed batch and concurrent writers never clash.
 */
export class FeatureCache {
  private readonly entries = new Map<string, Entry>();
  private pending: { sha256: string; feature: Float32Array; engine: string }[] = [];
  /** Chunk files that could not be read (moved aside), for the log. */
  readonly damaged: string[] = [];

  private constructor(
    readonly directory: string,
    readonly featureDim: number,
  ) {}

  /** Open (or create) the cache folder and index every readable chunk. */
  static async open(directory: string, featureDim: number): Promise<FeatureCache> {
    const cache = new FeatureCache(directory, featureDim);
    await mkdir(directory, { recursive: true });
    for (const file of (await readdir(directory)).filter((name) => name.startsWith('chunk-') && name.endsWith('.parquet')).sort()) {
      try {
        cache.index(parquetToTable(await readFile(join(directory, file))));
      } catch {
        cache.damaged.push(file);
        await rename(join(directory, file), join(directory, `${file}.damaged`)).catch(() => undefined);
      }
    }
    return cache;
  }

  private index(table: arrow.Table): void {
    if (artifactHeader(table)?.schema !== CACHE_SCHEMA) throw new Error('not a feature cache chunk');
    const { values, dimension } = readFeatureColumn(table, 'feature');
    if (dimension !== this.featureDim) throw new Error(`chunk has ${dimension}-d features, expected ${this.featureDim}`);
    const hashes = columnValues<string>(table, 'sha256');
    const engines = columnValues<string>(table, 'engine');
    hashes.forEach((hash, row) => this.entries.set(hash, { values, row, engine: engines[row]! }));
  }

  get size(): number {
    return this.entries.size;
  }

  has(hash: string): boolean {
    return this.entries.has(hash);
  }

  /** Copy the feature of `hash` into `target` at `offset`; returns the engine that computed it. */
  copyInto(hash: string, target: Float32Array, offset: number): string {
    const entry = this.entries.get(hash);
    if (!entry) throw new Error(`feature ${hash} is not cached`);
    target.set(entry.values.subarray(entry.row * this.featureDim, (entry.row + 1) * this.featureDim), offset);
    return entry.engine;
  }

  /** Add a computed feature; it is persisted by the next `flush`. */
  add(hash: string, feature: Float32Array, engine: string): void {
    const copy = Float32Array.from(feature);
    this.pending.push({ sha256: hash, feature: copy, engine });
    this.entries.set(hash, { values: copy, row: 0, engine });
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Persist pending features as one new chunk file. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const values = new Float32Array(batch.length * this.featureDim);
    batch.forEach((item, i) => values.set(item.feature, i * this.featureDim));
    const table = makeTable(
      [
        { name: 'sha256', type: new arrow.Utf8(), values: batch.map((item) => item.sha256) },
        { name: 'engine', type: new arrow.Utf8(), values: batch.map((item) => item.engine) },
        { name: 'feature', type: featureVector(values, this.featureDim).type, values: featureVector(values, this.featureDim) },
      ],
      artifactMetadata(CACHE_SCHEMA),
    );
    const name = `chunk-${sha256(batch.map((item) => item.sha256).join('\n')).slice(0, 24)}.parquet`;
    await writeFileAtomic(join(this.directory, name), tableToParquet(table));
  }
}
