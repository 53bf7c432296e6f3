/**
 * libvips keeps one error buffer per process: when two decodes fail at the same time, one can be
 * handed the other's message, or "Unknown error" after the buffer was cleared. A failure is
 * therefore decoded again alone — `exclusive` waits for every `shared` decode in flight and holds
 * new ones back — so the reason written to the artifacts is the file's own, run after run.
 */
export class DecoderLock {
  private active = 0;
  private exclusiveRequests = 0;
  private drained: (() => void)[] = [];
  private gate: Promise<void> = Promise.resolve();

  /** Run `work` alongside other shared work, never while exclusive work waits or runs. */
  async shared<T>(work: () => Promise<T>): Promise<T> {
    while (this.exclusiveRequests > 0) await this.gate;
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      if (this.active === 0) for (const resolve of this.drained.splice(0)) resolve();
    }
  }

  /** Run `work` with nothing else under this lock running (never call it from shared work). */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    this.exclusiveRequests++;
    const previous = this.gate;
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    await previous;
    if (this.active > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
    try {
      return await work();
    } finally {
      this.exclusiveRequests--;
      release();
    }
  }
}
