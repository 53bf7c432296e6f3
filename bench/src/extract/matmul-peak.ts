import { OnnxGraphBuilder } from '@graft/extract';

/**
 * The machine's float32 matrix-multiply peak as onnxruntime reaches it (MLAS sgemm): GFLOP/s of
 * the best of several n×n · n×n products with `threads` intra-op threads.
 */
export async function matmulPeakGflops(threads: number, n = 2048, repeats = 8): Promise<number> {
  const ort = await import('onnxruntime-node');
  const builder = new OnnxGraphBuilder();
  const input = builder.reserveName('a');
  const weights = new Float32Array(n * n).map((_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
  const b = builder.addFloatInitializer('b', [n, n], weights);
  builder.addNodeWithOutput('MatMul', [input, b], 'product');
  const bytes = builder.encode({ graphName: 'matmul', input: { name: input, dims: [n, n] }, output: { name: 'product', dims: [n, n] } });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: '0' } } } } as never);
  const a = new ort.Tensor('float32', weights.slice(), [n, n]);
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await session.run({ [input]: a });
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  await session.release();
  return (2 * n ** 3) / best / 1e9;
}
