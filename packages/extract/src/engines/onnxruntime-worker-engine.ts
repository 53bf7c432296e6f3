import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BackboneError, builtScript } from '@graft/core';
import type { OnnxRuntimeEngine } from './onnxruntime-engine.js';
import type { OnnxRuntimeEngineOptions } from './onnxruntime-session.js';

export type WorkerRequest = { kind: 'infer'; id: number; batch: Float32Array; n: number } | { kind: 'dispose' };
export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'features'; id: number; features: Float32Array; batch: Float32Array }
  | { kind: 'error'; id: number; message: string; batch: Float32Array }
  | { kind: 'disposed' };

/** Input buffers kept for reuse once the worker hands them back. */
const POOLED_BUFFERS = 4;

/**
 * The onnxruntime engine on a worker thread. onnxruntime-node's `run` is synchronous: on the main
 * thread it stops the event loop for the whole batch, so no image decodes meanwhile (sharp's
 * results wait for the loop). Here `infer` returns at once and the main thread keeps decoding.
 * Each batch is copied into a pooled buffer that is moved to the worker and back. The worker keeps
 * the process alive only while a request is in flight.
 */
export async function createOnnxRuntimeWorkerEngine(onnxBytes: Uint8Array, options: OnnxRuntimeEngineOptions): Promise<OnnxRuntimeEngine> {
  const worker = new Worker(workerScript(), { workerData: { onnxBytes, options } });
  const pending = new Map<number, { resolve: (features: Float32Array) => void; reject: (error: Error) => void }>();
  const pool: ArrayBuffer[] = [];
  let crashed: Error | undefined;
  let released = false;
  let nextId = 0;
  let onDisposed: (() => void) | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      crashed ??= error;
      reject(crashed);
      for (const waiter of pending.values()) waiter.reject(crashed);
      pending.clear();
    };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'ready') resolve();
      else if (reply.kind === 'failed') reject(new BackboneError(reply.message));
      else if (reply.kind === 'disposed') onDisposed?.();
      else {
        if (pool.length < POOLED_BUFFERS) pool.push(reply.batch.buffer as ArrayBuffer);
        const waiter = pending.get(reply.id)!;
        pending.delete(reply.id);
        if (pending.size === 0) worker.unref();
        if (reply.kind === 'features') waiter.resolve(reply.features);
        else waiter.reject(new BackboneError(reply.message));
      }
    });
    worker.on('error', (error) => fail(new BackboneError(`onnxruntime worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      onDisposed?.();
      if (!released) fail(new BackboneError(`onnxruntime worker exited (code ${code})`));
    });
  });
  try {
    await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  worker.unref();

  return {
    name: 'onnxruntime',
    infer(batch, n) {
      if (released) return Promise.reject(new BackboneError('onnxruntime engine used after dispose()'));
      if (crashed) return Promise.reject(crashed);
      const index = pool.findIndex((buffer) => buffer.byteLength >= batch.byteLength);
      const buffer = index >= 0 ? pool.splice(index, 1)[0]! : new ArrayBuffer(batch.byteLength);
      const copy = new Float32Array(buffer, 0, batch.length);
      copy.set(batch);
      const id = nextId++;
      if (pending.size === 0) worker.ref();
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ kind: 'infer', id, batch: copy, n } satisfies WorkerRequest, [buffer]);
      });
    },
    async dispose() {
      if (released) return;
      released = true;
      if (!crashed) {
        worker.ref();
        await new Promise<void>((resolve) => {
          onDisposed = resolve;
          worker.postMessage({ kind: 'dispose' } satisfies WorkerRequest);
        });
      }
      await worker.terminate();
    },
  };
}

/**
 * The compiled worker script next to this module. Tests run the TypeScript sources, which Node
 * cannot start as a worker: they use the build in dist/ (`tsc -b` runs before the tests).
 */
function workerScript(): URL {
  const script = builtScript(import.meta.url, 'onnxruntime-worker.js');
  if (!script) throw new BackboneError(`onnxruntime worker script not found next to ${fileURLToPath(import.meta.url)}: build the packages (npx tsc -b)`);
  return script;
}
