import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeInto, makePreprocessing } from '../src/preprocessing.js';

const preprocessing = makePreprocessing(8, '0,1');

async function decode(bytes: Uint8Array) {
  const target = new Float32Array(8 * 8 * 3);
  await decodeInto(bytes, preprocessing, { maxPixels: 1e8 }, target, 0);
  return target;
}

describe('decodeInto', () => {
  it('scales an RGB image to [0, 1] in RGB order', async () => {
    const red = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
    const pixels = await decode(red);
    expect(Array.from(pixels.subarray(0, 3))).toEqual([1, 0, 0]);
  });

  it('flattens transparency on white, whatever colour the transparent pixels hide', async () => {
    const hiddenGreen = await sharp(Buffer.alloc(16 * 16 * 4).fill(0).map((_, i) => (i % 4 === 1 ? 255 : 0)), { raw: { width: 16, height: 16, channels: 4 } }).png().toBuffer();
    const pixels = await decode(hiddenGreen);
    expect(Math.min(...pixels)).toBe(1);
  });

  it('turns grayscale and 16-bit images into 3-channel 8-bit RGB', async () => {
    const gray = await sharp({ create: { width: 10, height: 10, channels: 3, background: { r: 128, g: 128, b: 128 } } }).grayscale().png().toBuffer();
    const sixteen = await sharp({ create: { width: 10, height: 10, channels: 3, background: { r: 0, g: 0, b: 255 } } }).png({ force: true }).toColourspace('rgb16').toBuffer();
    const grayPixels = await decode(gray);
    expect(grayPixels[0]).toBeCloseTo(grayPixels[1]!, 6);
    expect(grayPixels[0]).toBeCloseTo(128 / 255, 2);
    const bluePixels = await decode(sixteen);
    expect(Array.from(bluePixels.subarray(0, 3)).map((v) => Math.round(v * 255))).toEqual([0, 0, 255]);
  });

  it.each([3, 6, 8])('applies EXIF orientation %i so pixels come out upright', async (orientation) => {
    // Upright: 40 wide × 20 tall, left half black, right half white.
    const upright = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++) for (let x = 20; x < 40; x++) upright.fill(255, (y * 40 + x) * 3, (y * 40 + x) * 3 + 3);
    // Store it turned so that a viewer applying the orientation tag shows it upright.
    const undo = { 3: 180, 6: 270, 8: 90 }[orientation]!;
    const stored = await sharp(await sharp(upright, { raw: { width: 40, height: 20, channels: 3 } }).rotate(undo).png().toBuffer()).jpeg({ quality: 100 }).withMetadata({ orientation }).toBuffer();
    const pixels = await decode(stored);
    const at = (x: number, y: number) => pixels[(y * 8 + x) * 3]!;
    expect(at(1, 4)).toBeLessThan(0.1);
    expect(at(6, 4)).toBeGreaterThan(0.9);
  });
});
