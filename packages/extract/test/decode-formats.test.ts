import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeInto, makePreprocessing } from '../src/preprocessing.js';

const SIZE = 8;
const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];
const WHITE = [255, 255, 255];

/** Decode at 8×8 and return pixel (x, y) as 0..255 RGB. */
async function decodePixels(bytes: Uint8Array) {
  const target = new Float32Array(SIZE * SIZE * 3);
  await decodeInto(bytes, makePreprocessing(SIZE, '0,255'), { maxPixels: 1e9 }, target, 0);
  return (x: number, y: number) => Array.from(target.subarray((y * SIZE + x) * 3, (y * SIZE + x) * 3 + 3), Math.round);
}

const close = (actual: number[], expected: number[], tolerance = 24) => actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance);

const SATURATED = [RED, GREEN, BLUE, WHITE];
/** Colours a CMYK press can print (saturated sRGB green cannot be): for the CMYK round trip. */
const PRINTABLE = [[200, 60, 50], [60, 150, 70], [40, 60, 150], WHITE];

/** Upright test card: quadrants top-left, top-right, bottom-left, bottom-right in the given colours. */
function card(width = 40, height = 24, colours = SATURATED): { data: Buffer; width: number; height: number } {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const colour = colours[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]!;
    data.set(colour, (y * width + x) * 3);
  }
  return { data, width, height };
}

function expectCard(pixel: (x: number, y: number) => number[], colours = SATURATED, tolerance = 24) {
  const [topLeft, topRight, bottomLeft, bottomRight] = colours;
  expect(close(pixel(1, 1), topLeft!, tolerance), `top-left ${pixel(1, 1)}`).toBe(true);
  expect(close(pixel(6, 1), topRight!, tolerance), `top-right ${pixel(6, 1)}`).toBe(true);
  expect(close(pixel(1, 6), bottomLeft!, tolerance), `bottom-left ${pixel(1, 6)}`).toBe(true);
  expect(close(pixel(6, 6), bottomRight!, tolerance), `bottom-right ${pixel(6, 6)}`).toBe(true);
}

/** For EXIF orientation o: which stored pixel a viewer shows at upright (x, y), and the stored size. */
const STORED: Record<number, { swap: boolean; at: (x: number, y: number, ws: number, hs: number) => [number, number] }> = {
  1: { swap: false, at: (x, y) => [x, y] },
  2: { swap: false, at: (x, y, ws) => [ws - 1 - x, y] },
  3: { swap: false, at: (x, y, ws, hs) => [ws - 1 - x, hs - 1 - y] },
  4: { swap: false, at: (x, y, _ws, hs) => [x, hs - 1 - y] },
  5: { swap: true, at: (x, y) => [y, x] },
  6: { swap: true, at: (x, y, _ws, hs) => [y, hs - 1 - x] },
  7: { swap: true, at: (x, y, ws, hs) => [ws - 1 - y, hs - 1 - x] },
  8: { swap: true, at: (x, y, ws) => [ws - 1 - y, x] },
};

describe('decoding images users really have', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('EXIF orientation %i comes out upright', async (orientation) => {
    const upright = card();
    const { swap, at } = STORED[orientation]!;
    const [ws, hs] = swap ? [upright.height, upright.width] : [upright.width, upright.height];
    const stored = Buffer.alloc(ws * hs * 3);
    for (let y = 0; y < upright.height; y++) for (let x = 0; x < upright.width; x++) {
      const [sx, sy] = at(x, y, ws, hs);
      upright.data.copy(stored, (sy * ws + sx) * 3, (y * upright.width + x) * 3, (y * upright.width + x) * 3 + 3);
    }
    const jpeg = await sharp(stored, { raw: { width: ws, height: hs, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation }).toBuffer();
    expectCard(await decodePixels(jpeg));
  });

  it('CMYK JPEG keeps its colours', async () => {
    const { data, width, height } = card(40, 24, PRINTABLE);
    const cmyk = await sharp(data, { raw: { width, height, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    expectCard(await decodePixels(cmyk), PRINTABLE, 30);
  });

  it('a JPEG with an embedded ICC profile (Display P3) is converted to sRGB', async () => {
    const { data, width, height } = card();
    const p3 = await sharp(data, { raw: { width, height, channels: 3 } }).withIccProfile('p3').jpeg({ quality: 100 }).toBuffer();
    expect((await sharp(p3).metadata()).icc).toBeDefined();
    // The profile is honoured: P3 pure green is more saturated than sRGB can show — never darker or greyer than sRGB green's neighbourhood.
    const pixel = await decodePixels(p3);
    expectCard(pixel);
  });

  it.each([
    ['progressive JPEG', (s: sharp.Sharp) => s.jpeg({ progressive: true, quality: 95 })],
    ['interlaced PNG', (s: sharp.Sharp) => s.png({ progressive: true })],
    ['palette PNG', (s: sharp.Sharp) => s.png({ palette: true, colours: 8 })],
    ['16-bit PNG', (s: sharp.Sharp) => s.toColourspace('rgb16').png()],
    ['TIFF', (s: sharp.Sharp) => s.tiff()],
    ['WebP', (s: sharp.Sharp) => s.webp({ lossless: true })],
    ['AVIF', (s: sharp.Sharp) => s.avif({ lossless: true })],
    ['GIF', (s: sharp.Sharp) => s.gif()],
  ])('%s decodes to the same picture', async (_, encode) => {
    const { data, width, height } = card();
    expectCard(await decodePixels(await encode(sharp(data, { raw: { width, height, channels: 3 } })).toBuffer()));
  });

  it('grayscale becomes three equal channels', async () => {
    const gray = await sharp(Buffer.alloc(16 * 16, 90), { raw: { width: 16, height: 16, channels: 1 } }).png().toBuffer();
    const pixel = await decodePixels(gray);
    expect(pixel(3, 3)).toEqual([90, 90, 90]);
  });

  it.each([
    ['RGBA PNG', async () => sharp(Buffer.from(Array.from({ length: 16 * 16 }, () => [0, 255, 0, 0]).flat()), { raw: { width: 16, height: 16, channels: 4 } }).png().toBuffer()],
    ['palette PNG with transparency', async () => sharp(Buffer.from(Array.from({ length: 16 * 16 }, () => [0, 0, 255, 0]).flat()), { raw: { width: 16, height: 16, channels: 4 } }).png({ palette: true }).toBuffer()],
    ['WebP with alpha', async () => sharp(Buffer.from(Array.from({ length: 16 * 16 }, () => [255, 0, 0, 0]).flat()), { raw: { width: 16, height: 16, channels: 4 } }).webp({ lossless: true }).toBuffer()],
  ])('%s: transparent pixels are flattened on white and never leak their hidden colour', async (_, make) => {
    const pixel = await decodePixels(await make());
    expect(pixel(4, 4)).toEqual(WHITE);
  });

  it('animated GIF: the first frame', async () => {
    const frames = Buffer.concat([Buffer.alloc(16 * 16 * 3).map((_, i) => RED[i % 3]!), Buffer.alloc(16 * 16 * 3).map((_, i) => BLUE[i % 3]!)]);
    const gif = await sharp(frames, { raw: { width: 16, height: 32, channels: 3, pageHeight: 16 } as sharp.Raw }).gif({ loop: 0, delay: [100, 100] }).toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    expect(close((await decodePixels(gif))(4, 4), RED)).toBe(true);
  });

  it('SVG is rasterized', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="24"><rect width="20" height="12" fill="#f00"/><rect x="20" width="20" height="12" fill="#0f0"/><rect y="12" width="20" height="12" fill="#00f"/><rect x="20" y="12" width="20" height="12" fill="#fff"/></svg>');
    expectCard(await decodePixels(svg));
  });

  it.each([
    ['1×1', 1, 1],
    ['8000×40', 8000, 40],
  ])('%s image fills the input', async (_, width, height) => {
    const image = await sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 30 } } }).png().toBuffer();
    const pixel = await decodePixels(image);
    expect(close(pixel(0, 0), [10, 200, 30], 2) && close(pixel(7, 7), [10, 200, 30], 2)).toBe(true);
  });
});
