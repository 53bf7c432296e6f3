import type * as Ort from 'onnxruntime-node';

/**
 * onnxruntime-node without the rest of Graft: what the engine runs, in this thread or on its worker
 * thread (which then starts without loading @graft/core). Failures are plain Errors; the engine
 * turns them into BackboneError.
 */
export interface OnnxRuntimeEngineOptions {
  /** Intra-op threads (use the number of cores). */
  threads: number;
  /** Square input size in pixels (the model input is [n, inputSize, inputSize, 3]). */
  inputSize: number;
  /** Length of each output feature vector. */
  featureDim: number;
}

export interface OnnxSession {
  /** Features of `n` preprocessed NHWC float32 images; returns n × featureDim values, row-major. */
  infer(batch: Float32Array, n: number): Promise<Float32Array>;
  release(): Promise<void>;
}

const CHANNELS = 3;

/** Open an ONNX feature model (NHWC images in, [n, featureDim] out) on the CPU. */
export async function openOnnxSession(onnxBytes: Uint8Array, options: OnnxRuntimeEngineOptions): Promise<OnnxSession> {
  const { threads, inputSize, featureDim } = options;
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`onnxruntime: threads must be a positive integer, got ${threads}`);
  const ort = await loadOnnxRuntime();
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnxBytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      // ORT's pool threads busy-wait between ops by default, which steals CPU from everything else
      // on a small shared machine (and made 2 threads slower than 1). The Node binding flattens
      // `extra` into session config entries: this sets 'session.intra_op.allow_spinning' = '0'.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (error) {
    throw new Error(`onnxruntime could not open the exported model: ${(error as Error).message}`, { cause: error });
  }
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (session.inputNames.length !== 1 || session.outputNames.length !== 1 || !inputName || !outputName) {
    await session.release();
    throw new Error(`onnxruntime: expected a model with one input and one output, got inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`);
  }
  const imageSize = inputSize * inputSize * CHANNELS;
  return {
    async infer(batch, n) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`onnxruntime: batch size must be a positive integer, got ${n}`);
      if (batch.length !== n * imageSize) throw new Error(`onnxruntime: batch has ${batch.length} values, expected ${n} × ${inputSize}×${inputSize}×${CHANNELS} = ${n * imageSize}`);
      const input = new ort.Tensor('float32', batch, [n, inputSize, inputSize, CHANNELS]);
      const results = await session.run({ [inputName]: input });
      const output = results[outputName]!;
      try {
        const dims = output.dims;
        if (output.type !== 'float32' || dims.length !== 2 || dims[0] !== n || dims[1] !== featureDim) {
          throw new Error(`onnxruntime: model output is ${output.type} [${dims.join(', ')}], expected float32 [${n}, ${featureDim}]`);
        }
        // Copy: the tensor's memory belongs to onnxruntime.
        return new Float32Array(output.data as Float32Array);
      } finally {
        output.dispose();
      }
    },
    release: () => session.release(),
  };
}

/** The shape of a model's output on one image of zeros (NHWC [1, size, size, 3] input). */
export async function outputShape(onnxBytes: Uint8Array, inputSize: number): Promise<number[]> {
  const ort = await loadOnnxRuntime();
  const session = await ort.InferenceSession.create(onnxBytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    const input = new ort.Tensor('float32', new Float32Array(inputSize * inputSize * CHANNELS), [1, inputSize, inputSize, CHANNELS]);
    const output = (await session.run({ [session.inputNames[0]!]: input }))[session.outputNames[0]!]!;
    const dims = [...output.dims];
    output.dispose();
    return dims;
  } finally {
    await session.release();
  }
}

type OrtModule = typeof Ort;

/** onnxruntime-node is a native addon: load it only when this engine is asked for. */
async function loadOnnxRuntime(): Promise<OrtModule> {
  let loaded: OrtModule & { default?: OrtModule };
  try {
    loaded = (await import('onnxruntime-node')) as OrtModule & { default?: OrtModule };
  } catch (error) {
    throw new Error(`onnxruntime-node could not be loaded (${(error as Error).message.split('\n')[0]}); use the tfjs engine instead`, { cause: error });
  }
  // CommonJS module: named exports come through Node's export detection, `default` always works.
  const ort = loaded.InferenceSession ? loaded : loaded.default;
  if (!ort?.InferenceSession || !ort.Tensor) throw new Error('onnxruntime-node loaded but does not export InferenceSession/Tensor; use the tfjs engine instead');
  return ort;
}
