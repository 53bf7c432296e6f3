/**
 * Fashion-MNIST as Graft input: one folder per class of PNG files, from the IDX files of Debian's
 * `dataset-fashion-mnist` package (`apt-get install dataset-fashion-mnist`; files in
 * /usr/share/datasets/fashion-mnist). The official split is kept in the file names —
 * `<class>/train-NNNNN.png` and `<class>/test-NNNNN.png`, NNNNN = index in the official file —
 * so that `graft split --test-pattern '/test-'` makes the official test set the test split.
 *
 *   node bench/dist/fashion-mnist-folders.js --out <folder> [--train-per-class 1000] [--test-per-class all]
 *
 * With a per-class limit, the first images of each class in file order are taken (deterministic).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { mapConcurrent, cpuCount } from '@graft/core';

/** Class names of the labels 0–9 (README of Fashion-MNIST), as folder names. */
export const FASHION_MNIST_CLASSES = ['t-shirt_top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle_boot'] as const;

const { values } = parseArgs({
  options: {
    source: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
    out: { type: 'string' },
    'train-per-class': { type: 'string', default: 'all' },
    'test-per-class': { type: 'string', default: 'all' },
  },
});
if (!values.out) throw new Error('pass --out <folder> (it gets one sub-folder per class)');
const limit = (value: string) => (value === 'all' ? Infinity : Number(value));

/** IDX file (gzipped): magic 0x0801 labels [n] or 0x0803 images [n, rows, cols], big-endian header. */
function readIdx(path: string): { data: Uint8Array; count: number; rows: number; cols: number } {
  const bytes = gunzipSync(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const count = view.getUint32(4);
  if (magic === 0x0801) return { data: bytes.subarray(8), count, rows: 1, cols: 1 };
  if (magic === 0x0803) return { data: bytes.subarray(16), count, rows: view.getUint32(8), cols: view.getUint32(12) };
  throw new Error(`${path}: not an IDX file (magic ${magic.toString(16)})`);
}

const out = resolve(values.out);
for (const name of FASHION_MNIST_CLASSES) mkdirSync(join(out, name), { recursive: true });
for (const [part, prefix, perClass] of [['train', 'train', limit(values['train-per-class']!)], ['t10k', 'test', limit(values['test-per-class']!)]] as const) {
  const images = readIdx(join(values.source!, `${part}-images-idx3-ubyte.gz`));
  const labels = readIdx(join(values.source!, `${part}-labels-idx1-ubyte.gz`));
  if (images.count !== labels.count) throw new Error(`${part}: ${images.count} images but ${labels.count} labels`);
  const taken = new Array<number>(10).fill(0);
  const chosen: number[] = [];
  for (let i = 0; i < images.count; i++) if (taken[labels.data[i]!]!++ < perClass) chosen.push(i);
  const size = images.rows * images.cols;
  await mapConcurrent(chosen, cpuCount() * 2, async (i) => {
    const file = join(out, FASHION_MNIST_CLASSES[labels.data[i]!]!, `${prefix}-${String(i).padStart(5, '0')}.png`);
    await sharp(images.data.subarray(i * size, (i + 1) * size), { raw: { width: images.cols, height: images.rows, channels: 1 } }).png().toFile(file);
  });
  process.stdout.write(`${prefix}: ${chosen.length} of ${images.count} images written (${perClass === Infinity ? 'all' : `${perClass} per class`})\n`);
}
