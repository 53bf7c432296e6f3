import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** A file tree: file name → bytes (or a function producing them). */
export type Tree = Record<string, Uint8Array | string | (() => Promise<Uint8Array>)>;

/** Write a literal tree of files into a new temporary folder; returns its path. */
export async function makeTree(tree: Tree, prefix = 'graft-test-'): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(tree)) {
    const absolute = join(root, path);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, typeof content === 'function' ? await content() : content);
  }
  return root;
}

/** A small real image: a coloured square with a darker shape, as JPEG or PNG. */
export function syntheticImage(seed: number, format: 'jpeg' | 'png' = 'jpeg', size = 64): () => Promise<Uint8Array> {
  return async () => {
    const r = (seed * 73) % 256;
    const g = (seed * 151) % 256;
    const b = (seed * 199) % 256;
    const inset = 8 + (seed % 16);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="rgb(${r},${g},${b})"/><circle cx="${inset + 10}" cy="${size - inset - 10}" r="${inset}" fill="rgb(${255 - r},${255 - g},${255 - b})"/></svg>`;
    const image = sharp(Buffer.from(svg));
    return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer();
  };
}
