import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, isMainThread, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { cpuCount } from './concurrency.js';

/** What a pool worker gets as `workerData`: the caller's data, and where to answer. */
export interface PoolWorkerData<Data> {
  readonly data: Data;
  readonly replies: MessagePort;
  readonly signal: SharedArrayBuffer;
}

type Reply<Result> = { readonly ok: true; readonly result: Result } | { readonly ok: false; readonly message: string };

interface PoolMember {
  readonly worker: Worker;
  readonly replies: MessagePort;
  busy: boolean;
}

/**
 * Worker threads driven synchronously: `submit` hands a task to an idle worker, `next` blocks
 * (Atomics.wait) until one answers. For CPU-bound work inside synchronous code — fitting heads on
 * the other cores — without turning every caller async. The workers run `script`, which answers
 * through `servePoolTasks`. Results arrive in completion order; `next` rethrows a worker's error.
 */
export class BlockingWorkerPool<Task, Result> {
  private readonly signal = new SharedArrayBuffer(4);
  private readonly counter = new Int32Array(this.signal);
  private readonly members: PoolMember[] = [];

  constructor(script: URL, data: unknown, size: number) {
    for (let i = 0; i < size; i++) {
      const { port1, port2 } = new MessageChannel();
      const workerData: PoolWorkerData<unknown> = { data, replies: port2, signal: this.signal };
      const worker = new Worker(script, { workerData, transferList: [port2] });
      worker.unref();
      this.members.push({ worker, replies: port1, busy: false });
    }
  }

  /** Workers without a task. */
  get idle(): number {
    return this.members.filter((member) => !member.busy).length;
  }

  /** Give `task` to an idle worker (throws when none is idle). */
  submit(task: Task, transfer: ArrayBuffer[] = []): void {
    const member = this.members.find((candidate) => !candidate.busy);
    if (!member) throw new Error('BlockingWorkerPool.submit: every worker is busy; take a result with next() first');
    member.busy = true;
    member.worker.postMessage(task, transfer);
  }

  /** Block until a busy worker answers; its result (or its error, thrown). */
  next(): Result {
    if (!this.members.some((member) => member.busy)) throw new Error('BlockingWorkerPool.next: no task in flight');
    for (;;) {
      const seen = Atomics.load(this.counter, 0);
      for (const member of this.members) {
        if (!member.busy) continue;
        const received = receiveMessageOnPort(member.replies);
        if (!received) continue;
        member.busy = false;
        const reply = received.message as Reply<Result>;
        if (!reply.ok) throw new Error(reply.message);
        return reply.result;
      }
      Atomics.wait(this.counter, 0, seen, 1000);
    }
  }

  /** Stop the workers (tasks in flight are abandoned). */
  close(): void {
    for (const member of this.members) {
      member.replies.close();
      void member.worker.terminate();
    }
    this.members.length = 0;
  }
}

/** In a pool worker: answer every task with `handle(task)` (errors are sent back, not thrown). */
export function servePoolTasks<Data, Task, Result>(
  workerData: PoolWorkerData<Data>, parentPort: MessagePort | null, prepare: (data: Data) => (task: Task) => { result: Result; transfer?: ArrayBuffer[] },
): void {
  const counter = new Int32Array(workerData.signal);
  const answer = (reply: Reply<Result>, transfer: ArrayBuffer[] = []) => {
    workerData.replies.postMessage(reply, transfer);
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
  let handle: ((task: Task) => { result: Result; transfer?: ArrayBuffer[] }) | undefined;
  let setupError: string | undefined;
  try {
    handle = prepare(workerData.data);
  } catch (error) {
    setupError = (error as Error).stack ?? String(error);
  }
  parentPort!.on('message', (task: Task) => {
    if (!handle) return answer({ ok: false, message: `worker set-up failed: ${setupError}` });
    try {
      const { result, transfer } = handle(task);
      answer({ ok: true, result }, transfer);
    } catch (error) {
      answer({ ok: false, message: (error as Error).stack ?? String(error) });
    }
  });
}

/**
 * The compiled script next to `moduleUrl` named `name` (e.g. `fold-worker.js`): beside it when
 * running from dist, else the dist twin of a src path (tests run the TypeScript sources, workers
 * need JavaScript). Undefined when not built.
 */
export function builtScript(moduleUrl: string, name: string): URL | undefined {
  const own = new URL(`./${name}`, moduleUrl);
  if (existsSync(fileURLToPath(own))) return own;
  const at = own.href.lastIndexOf('/src/');
  if (at < 0) return undefined;
  const built = new URL(`${own.href.slice(0, at)}/dist/${own.href.slice(at + '/src/'.length)}`);
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

/** Feature values below which work stays on this thread: a worker costs ~0.2 s to start and take its data. */
export const WORKER_MIN_VALUES = 400_000;

/**
 * Worker threads worth starting for `tasks` independent tasks on `values` feature values: one per
 * core up to the task count; none on one core, inside a worker (no nesting) or below
 * WORKER_MIN_VALUES. GRAFT_WORKERS=N sets the count (0: none).
 */
export function usefulWorkers(tasks: number, values: number): number {
  if (!isMainThread) return 0;
  const requested = process.env.GRAFT_WORKERS;
  if (requested !== undefined && requested !== '' && Number.isInteger(Number(requested))) return Math.max(0, Math.min(Number(requested), tasks));
  if (values < WORKER_MIN_VALUES) return 0;
  const cores = cpuCount();
  return cores > 1 ? Math.min(cores, tasks) : 0;
}

/** `values` in shared memory: handed to workers without a copy (structured cloning copies ordinary buffers). */
export function sharedFloats(values: Float32Array): Float32Array {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const shared = new Float32Array(new SharedArrayBuffer(values.byteLength));
  shared.set(values);
  return shared;
}
