import { blasPeak } from './blas-peak.js';
import { matmulPeak } from './matmul-peak.js';
import { fmaPeak } from './fma-peak.js';

export interface MachinePeak {
  /** The best float32 matrix-multiply rate measured, GFLOP/s. */
  readonly gflops: number;
  /** What reached it. */
  readonly source: string;
  readonly onnxruntime: { readonly gflops: number; readonly bySize: Record<number, number> };
  readonly blas?: { readonly gflops: number; readonly source: string; readonly bySize: Record<number, number> };
  /** The cores' arithmetic ceiling (independent FMAs in registers, no memory): no kernel exceeds it. */
  readonly fmaCeiling?: number;
}

/**
 * The machine's float32 peak for `threads` threads: the best of onnxruntime's MatMul and a BLAS
 * sgemm (when one is installed), each the best of several runs at several sizes; and, for scale,
 * the FMA ceiling of the cores (with gcc).
 */
export async function machinePeak(threads: number, workDir: string): Promise<MachinePeak> {
  const onnxruntime = await matmulPeak(threads);
  const blas = blasPeak(threads, workDir);
  const blasWins = blas !== undefined && blas.gflops > onnxruntime.gflops;
  const fmaCeiling = fmaPeak(threads, workDir);
  return { gflops: blasWins ? blas.gflops : onnxruntime.gflops, source: blasWins ? blas.source : 'onnxruntime MatMul (MLAS)', onnxruntime, ...(blas ? { blas } : {}), ...(fmaCeiling ? { fmaCeiling } : {}) };
}
