import { describe, expect, it } from 'vitest';
import { runBatchPipeline } from '../src/batch-pipeline.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runBatchPipeline', () => {
  it('decodes `ahead` batches while one is inferred, never overwrites a buffer in use, and settles in order', async () => {
    const batches = 7;
    const ahead = 2;
    const settled: number[] = [];
    let decodedCount = 0;
    let decoding = 0;
    let mostDecodingAtOnce = 0;
    /** Resolves once batch `b` is decoded; fails if that does not happen while the caller waits. */
    const decodedUpTo = async (b: number) => {
      const deadline = Date.now() + 5000;
      while (decodedCount <= b) {
        if (Date.now() > deadline) throw new Error(`batch ${b} was not decoded during an inference`);
        await pause(1);
      }
    };
    await runBatchPipeline({
      batches,
      bufferLength: 3,
      ahead,
      async decode(b, buffer) {
        mostDecodingAtOnce = Math.max(mostDecodingAtOnce, ++decoding);
        await pause(1 + (b % 3));
        buffer.fill(b);
        decoding--;
        decodedCount = b + 1;
        return b * 10;
      },
      async infer(b, buffer, decoded) {
        expect(decoded).toBe(b * 10);
        // The batches `ahead` get decoded while this one is inferred...
        await decodedUpTo(Math.min(b + ahead, batches - 1));
        // ...without touching this batch's buffer.
        return Array.from(buffer);
      },
      settled(b, _decoded, result) {
        settled.push(b);
        expect(result).toEqual([b, b, b]);
      },
    });
    expect(settled).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(mostDecodingAtOnce).toBe(1);
  });

  it('fails with the first inference error', async () => {
    const run = runBatchPipeline({
      batches: 5, bufferLength: 1, ahead: 1,
      decode: async () => undefined,
      infer: async (b) => { if (b === 1) throw new Error('engine broke'); },
      settled: () => undefined,
    });
    await expect(run).rejects.toThrow('engine broke');
  });
});
