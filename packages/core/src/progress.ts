/**
 * Progress of a long step on stderr: a redrawn bar with count, rate and ETA on a terminal, one
 * plain line every few seconds otherwise (CI logs stay readable), nothing when quiet.
 * A step whose size is not known in advance (a folder walk) shows count and rate only.
 */
export interface ProgressOptions {
  readonly quiet?: boolean;
  /** Seconds between log lines when the stream is not a terminal. */
  readonly logEverySeconds?: number;
  /** Where lines go (default stderr); a terminal when its `isTTY` is true. */
  readonly stream?: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;
  /** Milliseconds clock (default `performance.now`); tests pass a fake one. */
  readonly clock?: () => number;
}

/** Milliseconds between redraws of the terminal bar. */
const TERMINAL_REDRAW_MS = 100;
const BAR_WIDTH = 24;

export class Progress {
  private done = 0;
  private readonly started: number;
  private lastDraw: number;
  private readonly stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;
  private readonly isTerminal: boolean;
  private readonly clock: () => number;

  /** `total` undefined = unknown size: count and rate, no bar or ETA. */
  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.isTerminal = Boolean(this.stream.isTTY);
    this.clock = options.clock ?? (() => performance.now());
    this.started = this.clock();
    // Not on a terminal, the first line comes after one interval: short steps print only their final line.
    this.lastDraw = this.isTerminal ? -Infinity : this.started;
  }

  /** Count `n` more items done. */
  tick(n = 1): void {
    this.done += n;
    const now = this.clock();
    const interval = this.isTerminal ? TERMINAL_REDRAW_MS : (this.options.logEverySeconds ?? 5) * 1000;
    if (now - this.lastDraw >= interval || (this.isTerminal && this.total !== undefined && this.done >= this.total)) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  /** Final line: count, elapsed time and rate. */
  finish(note = ''): void {
    this.draw(true, note);
  }

  /** Items done so far. */
  get count(): number {
    return this.done;
  }

  /** Items per second so far. */
  get rate(): number {
    const seconds = (this.clock() - this.started) / 1000;
    return seconds > 0 ? this.done / seconds : 0;
  }

  private draw(final: boolean, note = ''): void {
    if (this.options.quiet) return;
    const seconds = (this.clock() - this.started) / 1000;
    const rate = this.rate;
    const known = this.total !== undefined;
    const remaining = known && rate > 0 ? (this.total! - this.done) / rate : Infinity;
    const counts = known ? `${this.done}/${this.total}` : `${this.done}`;
    const speed = `${rate.toFixed(rate < 10 ? 1 : 0)}/s`;
    const tail = final ? `in ${formatSeconds(seconds)}${note ? ` — ${note}` : ''}` : known ? `ETA ${formatSeconds(remaining)}` : '';
    const text = [counts, speed, tail].filter(Boolean).join(' ');
    if (this.isTerminal) {
      const bar = known ? `${progressBar(this.done, this.total!)} ` : '';
      this.stream.write(`\r${this.label} ${bar}${text}\x1b[K${final ? '\n' : ''}`);
    } else {
      this.stream.write(`${this.label}: ${text}\n`);
    }
  }
}

/** A fixed-width bar of full and empty blocks. */
export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total > 0 ? Math.min(width, Math.round((width * done) / total)) : width;
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${Math.round(seconds % 60)}s` : `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}
