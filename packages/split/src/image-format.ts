/** Image formats Graft recognises by their first bytes (never by the file extension). */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'tiff' | 'heif' | 'avif' | 'svg';

/** Detect an image format from the file's first bytes; undefined when it is not a known image. */
export function detectImageFormat(head: Uint8Array): ImageFormat | undefined {
  const startsWith = (...bytes: number[]) => bytes.every((byte, i) => head[i] === byte);
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (startsWith(0xff, 0xd8, 0xff)) return 'jpeg';
  if (startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 2) === 'BM' && head.length >= 26) return 'bmp';
  if (startsWith(0x49, 0x49, 0x2a, 0x00) || startsWith(0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heif';
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 512)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'svg';
  return undefined;
}

/** A short description of what a non-image file looks like, for the rejection reason. */
export function describeNonImage(head: Uint8Array): string {
  if (head.length === 0) return 'empty file (0 bytes)';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 512)).trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || text.includes('<head')) return 'not an image: the content is an HTML page';
  if (text.startsWith('%pdf')) return 'not an image: the content is a PDF document';
  const printable = [...head.subarray(0, 256)].filter((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127)).length;
  if (printable / Math.min(head.length, 256) > 0.95) return 'not an image: the content is text';
  return 'not an image: unknown content (no image signature)';
}
