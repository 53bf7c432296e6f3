import { describe, expect, it } from 'vitest';
import { inspectImage } from '../src/inspect-image.js';
import { DecoderLock } from '@graft/core/base';
import { syntheticImage } from '../../../test/helpers/dataset.js';

describe('inspectImage', () => {
  it('gives a damaged file the same reason whether it is inspected alone or among concurrent decodes', async () => {
    const damaged: Uint8Array[] = [];
    const good: Uint8Array[] = [];
    for (let i = 0; i < 12; i++) {
      const jpeg = await syntheticImage(i, 'jpeg', 96)();
      const png = await syntheticImage(i, 'png', 96)();
      damaged.push(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), png.subarray(0, Math.floor(png.length * 0.7)));
      good.push(jpeg, png);
    }
    const alone = [];
    for (const bytes of damaged) alone.push(await inspectImage(bytes, 1e8));
    expect(alone.every((inspection) => !inspection.usable)).toBe(true);
    for (let round = 0; round < 3; round++) {
      const together = await Promise.all([...damaged, ...good].map((bytes) => inspectImage(bytes, 1e8)));
      expect(together.slice(0, damaged.length)).toEqual(alone);
      expect(together.slice(damaged.length).every((inspection) => inspection.usable)).toBe(true);
    }
  });
});

describe('DecoderLock', () => {
  it('runs exclusive work only when no shared work is in flight, and holds new shared work back', async () => {
    const lock = new DecoderLock();
    const events: string[] = [];
    let running = 0;
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
    const shared = (name: string) => lock.shared(async () => { running++; events.push(`+${name}`); await tick(); running--; events.push(`-${name}`); });
    const exclusive = (name: string) => lock.exclusive(async () => { events.push(`x${name}:${running}`); await tick(); events.push(`/x${name}`); });
    const first = [shared('a'), shared('b')];
    const x = exclusive('1');
    const later = shared('c');
    const y = exclusive('2');
    await Promise.all([...first, x, later, y]);
    expect(events.filter((e) => e.startsWith('x'))).toEqual(['x1:0', 'x2:0']);
    expect(events.indexOf('x1:0')).toBeGreaterThan(Math.max(events.indexOf('-a'), events.indexOf('-b')));
    expect(events.indexOf('+c')).toBeGreaterThan(events.indexOf('/x1'));
  });
});
