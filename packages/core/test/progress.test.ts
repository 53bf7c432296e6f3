import { describe, expect, it } from 'vitest';
import { Progress, formatSeconds, progressBar } from '../src/index.js';

/** A stream that records what is written, and a clock the test moves by hand. */
function harness(isTTY: boolean) {
  const writes: string[] = [];
  let now = 1_000;
  return {
    writes,
    stream: { isTTY, write: (text: string) => Boolean(writes.push(text)) },
    clock: () => now,
    advance: (ms: number) => (now += ms),
  };
}

describe('Progress', () => {
  it('off a terminal: one plain line per interval with count, rate and ETA, then a final line', () => {
    const h = harness(false);
    const progress = new Progress('extract: features', 100, { stream: h.stream, clock: h.clock, logEverySeconds: 5 });
    for (let i = 0; i < 10; i++) {
      h.advance(100); // 10 items per second
      progress.tick();
    }
    expect(h.writes).toEqual([]); // the first line waits for one interval: short steps print only their final line
    for (let i = 0; i < 50; i++) {
      h.advance(100);
      progress.tick();
    }
    // 6 s elapsed, 60 done: exactly one line so far (at 5 s, 50 done, 10/s, 50 left → 5.0 s)
    expect(h.writes).toEqual(['extract: features: 50/100 10/s ETA 5.0s\n']);
    for (let i = 0; i < 40; i++) {
      h.advance(100);
      progress.tick();
    }
    expect(h.writes).toHaveLength(2);
    expect(h.writes[1]).toBe('extract: features: 100/100 10/s ETA 0.0s\n');
    progress.finish('10.0 images/s');
    expect(h.writes[2]).toBe('extract: features: 100/100 10/s in 10.0s — 10.0 images/s\n');
    expect(h.writes.every((line) => !line.includes('\r') && !line.includes('\x1b'))).toBe(true);
  });

  it('on a terminal: a bar redrawn in place, at most every 100 ms, and always at the end', () => {
    const h = harness(true);
    const progress = new Progress('train: steps', 4, { stream: h.stream, clock: h.clock });
    h.advance(500);
    progress.tick(); // first tick draws
    h.advance(10);
    progress.tick(); // too soon: no redraw
    h.advance(10);
    progress.tick();
    h.advance(10);
    progress.tick(); // the last item always draws
    expect(h.writes).toHaveLength(2);
    expect(h.writes[0]).toBe(`\rtrain: steps ${'█'.repeat(6)}${'░'.repeat(18)} 1/4 2.0/s ETA 1.5s\x1b[K`);
    expect(h.writes[1]).toMatch(/^\rtrain: steps █{24} 4\/4 7\.5\/s ETA 0\.0s\x1b\[K$/);
    progress.finish();
    expect(h.writes[2]).toMatch(/^\rtrain: steps █{24} 4\/4 7\.5\/s in 0\.5s\x1b\[K\n$/);
  });

  it('with an unknown total: count and rate, no bar and no ETA', () => {
    const h = harness(true);
    const progress = new Progress('split: scanning folders', undefined, { stream: h.stream, clock: h.clock });
    h.advance(1000);
    progress.tick(250);
    progress.finish('5 class folders');
    expect(h.writes).toEqual(['\rsplit: scanning folders 250 250/s\x1b[K', '\rsplit: scanning folders 250 250/s in 1.0s — 5 class folders\x1b[K\n']);
    expect(progress.count).toBe(250);
  });

  it('writes nothing when quiet', () => {
    for (const isTTY of [true, false]) {
      const h = harness(isTTY);
      const progress = new Progress('x', 10, { stream: h.stream, clock: h.clock, quiet: true });
      for (let i = 0; i < 10; i++) {
        h.advance(10_000);
        progress.tick();
      }
      progress.finish();
      expect(h.writes).toEqual([]);
    }
  });

  it('formats durations and bars', () => {
    expect([formatSeconds(3.21), formatSeconds(125), formatSeconds(7260), formatSeconds(Infinity)]).toEqual(['3.2s', '2m5s', '2h1m', '--']);
    expect(progressBar(0, 10, 4)).toBe('░░░░');
    expect(progressBar(5, 10, 4)).toBe('██░░');
    expect(progressBar(20, 10, 4)).toBe('████');
    expect(progressBar(0, 0, 4)).toBe('████');
  });
});
