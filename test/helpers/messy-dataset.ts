import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createDeflate } from 'node:zlib';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { SeededRandom } from '@graft/core';

/** What split must do with a fixture: accept it (with this detected format) or reject it (reason pattern). */
export type Expectation = { accept: string } | { reject: RegExp };

const colourful = (seed: number, width = 48, height = 48) =>
  sharp({ create: { width, height, channels: 3, background: { r: (seed * 67) % 256, g: (seed * 131) % 256, b: (seed * 29) % 256 } } });

/** CRC-32 of PNG chunks. */
function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A 1-bit grayscale PNG of width × height white pixels, deflated as a stream (small file, huge image). */
async function hugePng(path: string, width: number, height: number): Promise<void> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, grayscale, deflate, filter 0, no interlace
  const rowBytes = 1 + Math.ceil(width / 8);
  const row = Buffer.alloc(rowBytes, 0xff);
  row[0] = 0;
  const rowsPerChunk = Math.max(1, Math.floor((1 << 20) / rowBytes));
  let emitted = 0;
  const rows = Readable.from((function* () {
    while (emitted < height) {
      const n = Math.min(rowsPerChunk, height - emitted);
      emitted += n;
      yield Buffer.concat(Array.from({ length: n }, () => row));
    }
  })());
  const compressed: Buffer[] = [];
  const deflate = createDeflate({ level: 1 });
  deflate.on('data', (chunk: Buffer) => compressed.push(chunk));
  await pipeline(rows, deflate);
  const file = createWriteStream(path);
  file.write(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  file.write(pngChunk('IHDR', header));
  file.write(pngChunk('IDAT', Buffer.concat(compressed)));
  file.write(pngChunk('IEND', new Uint8Array(0)));
  await new Promise((resolve) => file.end(resolve));
}

/** A PNG whose header claims width × height but holds almost nothing (a decompression-bomb header). */
function lyingPngHeader(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), pngChunk('IEND', new Uint8Array(0))]);
}

/**
 * A dataset with the files users really have: every image format and oddity, broken and disguised
 * files, system files, nested folders, symlinks, odd names, an empty class and a stray root file.
 * Returns its folder and, per relative path, what split must do.
 */
export async function makeMessyDataset(): Promise<{ root: string; expected: Record<string, Expectation>; emptyClass: string }> {
  const root = mkdtempSync(join(tmpdir(), 'graft-messy-'));
  const expected: Record<string, Expectation> = {};
  const put = async (path: string, content: Uint8Array | Promise<Uint8Array>, expectation?: Expectation) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), await content);
    if (expectation) expected[path] = expectation;
  };
  for (const className of ['alpha', 'beta', 'gamma']) {
    for (let i = 0; i < 3; i++) await put(`${className}/normal ${i}.jpg`, colourful(i + className.length * 10).jpeg().toBuffer(), { accept: 'jpeg' });
  }
  const jpeg = await colourful(5, 64, 64).jpeg().toBuffer();
  const png = await colourful(6, 64, 64).png().toBuffer();
  const rgba = Buffer.from(Array.from({ length: 32 * 32 }, (_, i) => [0, 255, 0, i % 2 ? 0 : 255]).flat());
  // alpha: every format and oddity that must be accepted
  await put('alpha/png-named.jpg', png, { accept: 'png' });
  await put('alpha/jpeg-named.png', jpeg, { accept: 'jpeg' });
  await put('alpha/cmyk.jpg', colourful(7).toColourspace('cmyk').jpeg().toBuffer(), { accept: 'jpeg' });
  await put('alpha/icc-p3.jpg', colourful(8).withIccProfile('p3').jpeg().toBuffer(), { accept: 'jpeg' });
  await put('alpha/progressive.jpg', colourful(9).jpeg({ progressive: true }).toBuffer(), { accept: 'jpeg' });
  await put('alpha/exif-6.jpg', colourful(10, 60, 30).jpeg().withMetadata({ orientation: 6 }).toBuffer(), { accept: 'jpeg' });
  await put('alpha/rgba.png', sharp(rgba, { raw: { width: 32, height: 32, channels: 4 } }).png().toBuffer(), { accept: 'png' });
  await put('alpha/palette.png', colourful(11).png({ palette: true }).toBuffer(), { accept: 'png' });
  await put('alpha/palette-transparent.png', sharp(rgba, { raw: { width: 32, height: 32, channels: 4 } }).png({ palette: true }).toBuffer(), { accept: 'png' });
  await put('alpha/sixteen-bit.png', colourful(12).toColourspace('rgb16').png().toBuffer(), { accept: 'png' });
  await put('alpha/gray.png', colourful(13).grayscale().png().toBuffer(), { accept: 'png' });
  await put('alpha/interlaced.png', colourful(14).png({ progressive: true }).toBuffer(), { accept: 'png' });
  await put('alpha/animated.gif', sharp(Buffer.alloc(16 * 32 * 3, 120), { raw: { width: 16, height: 32, channels: 3, pageHeight: 16 } as sharp.Raw }).gif({ loop: 0 }).toBuffer(), { accept: 'gif' });
  await put('alpha/image.tiff', colourful(15).tiff().toBuffer(), { accept: 'tiff' });
  await put('alpha/image.webp', colourful(16).webp().toBuffer(), { accept: 'webp' });
  await put('alpha/image.avif', colourful(17).avif().toBuffer(), { accept: 'avif' });
  await put('alpha/vector.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="30" height="30"><circle cx="15" cy="15" r="10" fill="#c33"/></svg>'), { accept: 'svg' });
  await put('alpha/one pixel.png', colourful(18, 1, 1).png().toBuffer(), { accept: 'png' });
  await put('alpha/wide 8000x40.jpg', colourful(19, 8000, 40).jpeg().toBuffer(), { accept: 'jpeg' });
  await put('alpha/huge 100 megapixels.jpg', colourful(20, 10000, 10000).jpeg({ quality: 50 }).toBuffer(), { accept: 'jpeg' });
  await put('alpha/nested/deeper/inside.jpg', colourful(21).jpeg().toBuffer(), { accept: 'jpeg' });
  await put('alpha/ünïcödé #1 & co.jpg', colourful(22).jpeg().toBuffer(), { accept: 'jpeg' });
  const arithmetic = join(root, 'alpha', 'arithmetic.jpg');
  execFileSync('cjpeg', ['-arithmetic', '-outfile', arithmetic], { input: Buffer.concat([Buffer.from('P6\n16 16\n255\n'), Buffer.alloc(16 * 16 * 3, 77)]) });
  expected['alpha/arithmetic.jpg'] = { accept: 'jpeg' };
  // beta: files that must be rejected, with their reason
  await put('beta/zero.jpg', new Uint8Array(0), { reject: /empty file/ });
  await put('beta/truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), { reject: /(corrupt or truncated|unreadable) jpeg/ });
  await put('beta/truncated.png', png.subarray(0, Math.floor(png.length * 0.6)), { reject: /(corrupt or truncated|unreadable) png/ });
  await put('beta/page.jpg', Buffer.from('<!DOCTYPE html><html><head><title>Not found</title></head><body>404</body></html>'), { reject: /HTML page/ });
  await put('beta/notes.jpg', Buffer.from('shopping list: apples, pears\n'), { reject: /content is text/ });
  const random = new SeededRandom(3);
  await put('beta/random.jpg', Uint8Array.from({ length: 4096 }, () => random.int(256)), { reject: /unknown content/ });
  await put('beta/bomb header 65000x65000.png', lyingPngHeader(65000, 65000), { reject: /too large: 65000×65000/ });
  await hugePng(join(root, 'beta', 'bomb 30000x30000.png'), 30000, 30000);
  expected['beta/bomb 30000x30000.png'] = { reject: /too large: 30000×30000/ };
  const heic = join(root, 'beta', 'photo.heic');
  writeFileSync(join(root, 'beta', 'photo-source.png'), await colourful(23).png().toBuffer());
  execFileSync('heif-enc', ['-q', '50', '-o', heic, join(root, 'beta', 'photo-source.png')], { stdio: 'ignore' });
  expected['beta/photo-source.png'] = { accept: 'png' };
  expected['beta/photo.heic'] = { reject: /HEIC\/HEIF that this build of libvips cannot decode/ };
  await put('beta/.DS_Store', Buffer.from('Bud1'), { reject: /hidden or system file/ });
  await put('beta/._normal 0.jpg', Buffer.from('AppleDouble'), { reject: /hidden or system file/ });
  await put('beta/Thumbs.db', Buffer.from('thumbs'), { reject: /hidden or system file/ });
  symlinkSync(join(root, 'alpha', 'normal 0.jpg'), join(root, 'beta', 'link to alpha.jpg'));
  expected['beta/link to alpha.jpg'] = { accept: 'jpeg' };
  symlinkSync(join(root, 'beta', 'gone.jpg'), join(root, 'beta', 'dangling.jpg'));
  expected['beta/dangling.jpg'] = { reject: /dangling symlink/ };
  await put('README.txt', Buffer.from('my photos'), { reject: /stray file at the dataset root/ });
  mkdirSync(join(root, 'empty class'));
  if (!existsSync(heic)) throw new Error('heif-enc did not write a HEIC file');
  return { root, expected, emptyClass: 'empty class' };
}
