/**
 * Where a process's memory goes, phase by phase: with GRAFT_TRACE_MEMORY=1 set, `memoryPhase(name)`
 * starts a phase; the resident set size is sampled every 25 ms and, at each phase change and at
 * exit, one stderr line gives the phase's peak RSS and, at its end, the JS heap and the native
 * memory outside it (onnxruntime's arena, libvips, WebAssembly memories). Off (no timer, no output)
 * unless the variable is set: a diagnostic for `npm run bench`, not part of any artifact.
 */
const enabled = Boolean(process.env.GRAFT_TRACE_MEMORY);
let current: { name: string; peak: number } | undefined;
let timer: NodeJS.Timeout | undefined;

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function sample(): void {
  if (current) current.peak = Math.max(current.peak, process.memoryUsage.rss());
}

function report(): void {
  if (!current) return;
  sample();
  const usage = process.memoryUsage();
  process.stderr.write(`memory: ${current.name}: peak RSS ${mb(current.peak)} MB; at its end RSS ${mb(usage.rss)} MB = JS heap ${mb(usage.heapTotal)} + array buffers ${mb(usage.arrayBuffers)} + other native ${mb(Math.max(0, usage.rss - usage.heapTotal - usage.arrayBuffers))} MB\n`);
}

/** End the current phase (printing its peak) and start `name`. */
export function memoryPhase(name: string): void {
  if (!enabled) return;
  report();
  current = { name, peak: process.memoryUsage.rss() };
  if (!timer) {
    timer = setInterval(sample, 25);
    timer.unref();
    process.once('exit', report);
  }
}
