/** One phase of a process run with GRAFT_TRACE_MEMORY=1 (see packages/core/src/memory-trace.ts). */
export interface MemoryPhase {
  readonly phase: string;
  readonly peak_rss_mb: number;
  /** At the phase's end: V8's heap, ArrayBuffers (features, batches, Parquet bytes), and native memory outside both. */
  readonly js_heap_mb: number;
  readonly array_buffers_mb: number;
  readonly other_native_mb: number;
}

const LINE = /^memory: (.+): peak RSS (\d+) MB; at its end RSS \d+ MB = JS heap (\d+) \+ array buffers (\d+) \+ other native (\d+) MB$/;

/** The memory lines of a command's stderr, in order. */
export function memoryPhases(stderr: string): MemoryPhase[] {
  return stderr.split('\n').flatMap((line) => {
    const match = LINE.exec(line.trim());
    return match ? [{ phase: match[1]!, peak_rss_mb: Number(match[2]), js_heap_mb: Number(match[3]), array_buffers_mb: Number(match[4]), other_native_mb: Number(match[5]) }] : [];
  });
}
