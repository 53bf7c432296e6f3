import type { FeatureEngine } from '@graft/extract';

/**
 * Images per second of the engine alone on preprocessed tensors (no decoding, no I/O): the
 * median of timed batches after one warm-up batch.
 */
export async function bareNetworkRate(engine: FeatureEngine, inputSize: number, batchSize: number, images: number): Promise<number> {
  const batch = new Float32Array(batchSize * inputSize * inputSize * 3).map((_, i) => ((i * 7919) % 255) / 255);
  await engine.infer(batch, batchSize);
  const seconds: number[] = [];
  for (let done = 0; done < images; done += batchSize) {
    const started = performance.now();
    await engine.infer(batch, batchSize);
    seconds.push((performance.now() - started) / 1000);
  }
  seconds.sort((a, b) => a - b);
  return batchSize / seconds[Math.floor(seconds.length / 2)]!;
}
