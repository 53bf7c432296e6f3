/** Decoding batches ahead of inference, with a fixed set of reusable input buffers. */
export interface BatchPipeline<D, R> {
  readonly batches: number;
  /** Floats in one input buffer. */
  readonly bufferLength: number;
  /** Batches decoded while an earlier one is inferred (ahead + 1 buffers). */
  readonly ahead: number;
  /** Fill `buffer` with batch `b`. */
  decode(b: number, buffer: Float32Array): Promise<D>;
  /** Run the engine on a decoded batch; called in batch order, as soon as the batch is decoded. */
  infer(b: number, buffer: Float32Array, decoded: D): Promise<R>;
  /** Use the result of batch `b`; called in batch order, after which the batch's buffer is reused. */
  settled(b: number, decoded: D, result: R): Promise<void> | void;
}

/**
 * Run decode → infer → settled over every batch, decoding up to `ahead` batches beyond the one the
 * engine works on, so that neither the decoder nor the engine waits for the other when both keep up.
 */
export async function runBatchPipeline<D, R>(pipeline: BatchPipeline<D, R>): Promise<void> {
  const buffers = Array.from({ length: pipeline.ahead + 1 }, () => new Float32Array(pipeline.bufferLength));
  const decoded: Promise<D>[] = [];
  const done: Promise<void>[] = [];
  // Failures surface where the loop awaits; this keeps them from being reported as unhandled first.
  const observed = <T>(promise: Promise<T>) => (promise.catch(() => undefined), promise);
  // One batch decodes at a time, in order (the engine needs them in order), once its buffer is free.
  const decode = (b: number) => {
    const ready = Promise.all([done[b - buffers.length], decoded[b - 1]]);
    decoded[b] = observed(ready.then(() => pipeline.decode(b, buffers[b % buffers.length]!)));
  };
  for (let b = 0; b < Math.min(pipeline.ahead, pipeline.batches); b++) decode(b);
  for (let b = 0; b < pipeline.batches; b++) {
    if (b + pipeline.ahead < pipeline.batches) decode(b + pipeline.ahead);
    const value = await decoded[b]!;
    const result = pipeline.infer(b, buffers[b % buffers.length]!, value);
    done[b] = observed(Promise.all([done[b - 1], result]).then(([, r]) => pipeline.settled(b, value, r)));
  }
  if (pipeline.batches > 0) await done[pipeline.batches - 1];
}
