import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { describeNonImage, detectImageFormat } from '../src/image-format.js';

const pixel = () => sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 200, g: 10, b: 10 } } });

describe('detectImageFormat', () => {
  it.each([
    ['jpeg', () => pixel().jpeg().toBuffer()],
    ['png', () => pixel().png().toBuffer()],
    ['gif', () => pixel().gif().toBuffer()],
    ['webp', () => pixel().webp().toBuffer()],
    ['tiff', () => pixel().tiff().toBuffer()],
    ['avif', () => pixel().avif().toBuffer()],
  ])('recognises %s by content', async (format, make) => {
    expect(detectImageFormat(await make())).toBe(format);
  });

  it('recognises SVG text', () => {
    expect(detectImageFormat(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('svg');
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><head><title>x</title></head></html>', 'HTML'],
    ['text', 'just some notes about flowers\n', 'text'],
    ['nothing', '', 'empty'],
  ])('rejects %s with a reason', (_, content, reason) => {
    const bytes = Buffer.from(content);
    expect(detectImageFormat(bytes)).toBeUndefined();
    expect(describeNonImage(bytes)).toContain(reason);
  });
});
