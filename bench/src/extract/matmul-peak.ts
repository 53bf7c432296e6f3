import { OnnxGraphBuilder } from '@graft/extract';

/**
 * The machine's float32 matrix-multiply peak as onnxruntime reaches it (MLAS sgemm): GFLOP/s of
 * the best of `repeats` n×n · n×n products at each size, with `threads` intra-op threads (a busy
 * machine only slows a run down, so the best run is the estimate).
 */
export async function matmulPeak(threads: number, sizes = [1024, 2048, 3072, 4096], repeats = 6): Promise<{ gflops: number; bySize: Record<number, number> }> {
  const bySize: Record<number, number> = {};
  for (const n of sizes) bySize[n] = await matmulGflops(threads, n, repeats);
  return { gflops: Math.max(...Object.values(bySize)), bySize };
}

/** Best GFLOP/s of one n×n · n×n MatMul through onnxruntime. */
export async function matmulGflops(threads: number, n: number, repeats: number): Promise<number> {
  const ort = await import('onnxruntime-node');
  const builder = new OnnxGraphBuilder();
  const input = builder.reserveName('a');
  const weights = new Float32Array(n * n).map((_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
  const b = builder.addFloatInitializer('b', [n, n], weights);
  builder.addNodeWithOutput('MatMul', [input, b], 'product');
  const bytes = builder.encode({ graphName: 'matmul', input: { name: input, dims: [n, n] }, output: { name: 'product', dims: [n, n] } });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: '0' } } } } as never);
  const a = new ort.Tensor('float32', weights.slice(), [n, n]);
  await session.run({ [input]: a });
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await session.run({ [input]: a });
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  await session.release();
  return (2 * n ** 3) / best / 1e9;
}
