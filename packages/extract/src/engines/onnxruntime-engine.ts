import { BackboneError } from '@graft/core';
import { openOnnxSession, type OnnxRuntimeEngineOptions } from './onnxruntime-session.js';

export type { OnnxRuntimeEngineOptions } from './onnxruntime-session.js';

export interface OnnxRuntimeEngine {
  readonly name: 'onnxruntime';
  /** Features of `n` preprocessed NHWC float32 images; returns n × featureDim values, row-major. */
  infer(batch: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/**
 * Run an ONNX feature model (as written by `exportLayersModelToOnnx`) with onnxruntime-node on the
 * CPU, in this thread. Throws BackboneError if onnxruntime-node cannot be loaded or the model cannot
 * be opened, so callers can fall back to tfjs.
 */
export async function createOnnxRuntimeEngine(onnxBytes: Uint8Array, options: OnnxRuntimeEngineOptions): Promise<OnnxRuntimeEngine> {
  const session = await asBackboneError(() => openOnnxSession(onnxBytes, options));
  let released = false;
  return {
    name: 'onnxruntime',
    async infer(batch, n) {
      if (released) throw new BackboneError('onnxruntime engine used after dispose()');
      return asBackboneError(() => session.infer(batch, n));
    },
    async dispose() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}

async function asBackboneError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new BackboneError((error as Error).message, { cause: error });
  }
}
