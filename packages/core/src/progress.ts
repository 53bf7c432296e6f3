/**
 * Progress of a long step on stderr: a redrawn bar with count, rate and ETA on a terminal, one
 * plain line every few seconds otherwise (CI logs stay readable), nothing when quiet.
 */
export interface ProgressOptions {
  readonly quiet?: boolean;
  /** Seconds between log lines when stderr is not a terminal. */
  readonly logEverySeconds?: number;
  readonly stream?: NodeJS.WriteStream;
}

export class Progress {
  private done = 0;
  private readonly started = performance.now();
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly isTerminal: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.isTerminal = Boolean(this.stream.isTTY);
  }

  /** Count `n` more items done. */
  tick(n = 1): void {
    this.done += n;
    const now = performance.now();
    const interval = this.isTerminal ? 100 : (this.options.logEverySeconds ?? 5) * 1000;
    if (now - this.lastDraw >= interval || (this.isTerminal && this.done >= this.total)) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  /** Final line: count, elapsed time and rate. */
  finish(note = ''): void {
    this.draw(true, note);
  }

  /** Items per second so far. */
  get rate(): number {
    const seconds = (performance.now() - this.started) / 1000;
    return seconds > 0 ? this.done / seconds : 0;
  }

  private draw(final: boolean, note = ''): void {
    if (this.options.quiet) return;
    const seconds = (performance.now() - this.started) / 1000;
    const rate = this.rate;
    const remaining = rate > 0 ? (this.total - this.done) / rate : Infinity;
    const counts = `${this.done}/${this.total}`;
    const speed = `${rate.toFixed(rate < 10 ? 1 : 0)}/s`;
    const tail = final ? `in ${formatSeconds(seconds)}${note ? ` — ${note}` : ''}` : `ETA ${formatSeconds(remaining)}`;
    if (this.isTerminal) {
      const width = 24;
      const filled = this.total > 0 ? Math.round((width * this.done) / this.total) : width;
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      this.stream.write(`\r${this.label} ${bar} ${counts} ${speed} ${tail}\x1b[K${final ? '\n' : ''}`);
    } else {
      this.stream.write(`${this.label}: ${counts} ${speed} ${tail}\n`);
    }
  }
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${Math.round(seconds % 60)}s` : `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}
