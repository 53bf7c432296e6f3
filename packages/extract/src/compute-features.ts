import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DecoderLock, mapConcurrent, sha256, type Progress } from '@graft/core';
import type { ManifestRow } from '@graft/split';
import { decodeInto, type Preprocessing } from './preprocessing.js';
import type { FeatureEngine } from './engines/engine.js';
import type { FeatureCache } from './feature-cache.js';
import { imageFile, type ImageLocation } from './image-roots.js';
import { runBatchPipeline } from './batch-pipeline.js';

/** A manifest image that could not be turned into a feature, with the reason. */
export interface SkippedImage {
  readonly path: string;
  readonly className: string;
  readonly sha256: string;
  readonly reason: string;
}

export interface ComputeOptions {
  /** The dataset folder, or the source and target-domain folders. */
  readonly dataDir: ImageLocation;
  readonly preprocessing: Preprocessing;
  /** The engine, or its opening (decoding starts meanwhile). */
  readonly engine: FeatureEngine | Promise<FeatureEngine>;
  readonly featureDim: number;
  readonly batchSize: number;
  /** Images decoded at once (libvips threads). */
  readonly decodeConcurrency: number;
  readonly cache: FeatureCache;
  readonly progress: Progress;
  /** Persist the cache after this many new features or seconds (an interrupted run loses at most these). */
  readonly flushEvery?: number;
  readonly flushEverySeconds?: number;
}

/** Why an image could not be used; `content` failures depend only on the bytes and are cached. */
export interface DecodeFailure {
  readonly reason: string;
  readonly content: boolean;
}

/** Files up to this size are read synchronously. */
const SYNC_READ_BYTES = 1 << 20;

/**
 * Decode one image file into `target` at `offset`; checks the content still matches the manifest.
 * Returns the failure when the image cannot be used.
 */
export async function decodeManifestImage(row: ManifestRow, dataDir: ImageLocation, preprocessing: Preprocessing, target: Float32Array, offset: number): Promise<DecodeFailure | undefined> {
  let bytes: Uint8Array;
  try {
    // Small files are read in one synchronous call: a tenth of the CPU of fs/promises' open, stat,
    // read and close round trips through the libuv pool, for a few microseconds of the event loop.
    bytes = row.bytes <= SYNC_READ_BYTES ? readFileSync(imageFile(row, dataDir)) : await readFile(imageFile(row, dataDir));
  } catch (error) {
    return { reason: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): rerun split`, content: false };
  }
  if (sha256(bytes) !== row.sha256) return { reason: 'the file changed since split: rerun split', content: false };
  const decode = async (): Promise<DecodeFailure | undefined> => {
    try {
      await decodeInto(bytes, preprocessing, { maxPixels: Math.max(1, row.width * row.height) }, target, offset);
      return undefined;
    } catch (error) {
      return { reason: `cannot decode: ${String((error as Error).message).split('\n')[0]}`, content: true };
    }
  };
  // A failure is decoded again alone, so the recorded reason is this file's own libvips message.
  return (await decoders.shared(decode)) && decoders.exclusive(decode);
}

const decoders = new DecoderLock();

/** Batches decoded while an earlier one is inferred. */
const DECODE_AHEAD = 2;

/**
 * Compute and cache the features of `rows` (distinct contents): batches are decoded on libvips
 * threads while earlier batches run through the engine (which may still be opening: the first
 * batches decode meanwhile). Undecodable contents are recorded in the cache; images that could not
 * be read (missing or changed files) are returned.
 */
export async function computeFeatures(rows: readonly ManifestRow[], options: ComputeOptions): Promise<SkippedImage[]> {
  const { preprocessing, batchSize, featureDim, cache, progress } = options;
  const imageSize = preprocessing.size * preprocessing.size * 3;
  const skipped: SkippedImage[] = [];
  const flushEvery = options.flushEvery ?? 256;
  const flushEveryMs = (options.flushEverySeconds ?? 20) * 1000;
  let lastFlush = performance.now();
  const batches: ManifestRow[][] = [];
  for (let start = 0; start < rows.length; start += batchSize) batches.push(rows.slice(start, start + batchSize));
  const engine = Promise.resolve(options.engine);
  // An engine that fails to open fails the first inference; until then its rejection is not unhandled.
  engine.catch(() => undefined);

  const decodeBatch = async (batch: ManifestRow[], buffer: Float32Array) => {
    const failures = await mapConcurrent(batch, options.decodeConcurrency, (row, i) => decodeManifestImage(row, options.dataDir, preprocessing, buffer, i * imageSize));
    const kept: ManifestRow[] = [];
    batch.forEach((row, i) => {
      const failure = failures[i];
      if (failure) {
        if (failure.content) cache.addFailure(row.sha256, failure.reason);
        else skipped.push({ path: row.path, className: row.className, sha256: row.sha256, reason: failure.reason });
        return;
      }
      if (kept.length !== i) buffer.copyWithin(kept.length * imageSize, i * imageSize, (i + 1) * imageSize);
      kept.push(row);
    });
    return kept;
  };

  await runBatchPipeline({
    batches: batches.length,
    bufferLength: batchSize * imageSize,
    ahead: DECODE_AHEAD,
    decode: (b, buffer) => decodeBatch(batches[b]!, buffer),
    infer: async (_b, buffer, kept) => (kept.length > 0 ? (await engine).infer(buffer.subarray(0, kept.length * imageSize), kept.length) : undefined),
    settled: async (b, kept, features) => {
      const engineName = (await engine).name;
      kept.forEach((row, i) => cache.add(row.sha256, features!.subarray(i * featureDim, (i + 1) * featureDim), engineName));
      progress.tick(batches[b]!.length);
      if (cache.pendingCount >= flushEvery || (cache.pendingCount > 0 && performance.now() - lastFlush >= flushEveryMs)) {
        await cache.flush();
        lastFlush = performance.now();
      }
    },
  });
  await cache.flush();
  return skipped;
}

/** The first few decodable images of `rows`, preprocessed: what an ONNX export is checked on. */
export async function sampleBatch(rows: readonly ManifestRow[], dataDir: ImageLocation, backbone: { readonly preprocessing: Preprocessing }) {
  const imageSize = backbone.preprocessing.size ** 2 * 3;
  const batch = new Float32Array(4 * imageSize);
  let n = 0;
  for (const row of rows) {
    if (n === 4) break;
    if ((await decodeManifestImage(row, dataDir, backbone.preprocessing, batch, n * imageSize)) === undefined) n++;
  }
  return { batch, n };
}
