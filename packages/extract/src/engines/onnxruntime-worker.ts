/**
 * Worker thread side of the off-thread onnxruntime engine: onnxruntime-node's `run` blocks the
 * thread that calls it, so it runs here while the main thread keeps decoding the next batch. It
 * imports onnxruntime-node and nothing of Graft's that it does not use (a worker loads its own copy).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openOnnxSession, type OnnxRuntimeEngineOptions } from './onnxruntime-session.js';
import type { WorkerReply, WorkerRequest } from './onnxruntime-worker-engine.js';

const { onnxBytes, options } = workerData as { onnxBytes: Uint8Array; options: OnnxRuntimeEngineOptions };
const port = parentPort!;

try {
  const session = await openOnnxSession(onnxBytes, options);
  // Requests are answered in order: the engine runs one batch at a time.
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      if (request.kind === 'dispose') {
        await session.release();
        port.postMessage({ kind: 'disposed' } satisfies WorkerReply);
        port.close();
        return;
      }
      try {
        const features = await session.infer(request.batch, request.n);
        // The input goes back for reuse; both buffers are moved, not copied.
        port.postMessage({ kind: 'features', id: request.id, features, batch: request.batch } satisfies WorkerReply, [features.buffer as ArrayBuffer, request.batch.buffer as ArrayBuffer]);
      } catch (error) {
        port.postMessage({ kind: 'error', id: request.id, message: (error as Error).message, batch: request.batch } satisfies WorkerReply, [request.batch.buffer as ArrayBuffer]);
      }
    });
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ kind: 'failed', message: (error as Error).message } satisfies WorkerReply);
}
