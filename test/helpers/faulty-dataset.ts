import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { SeededRandom } from '@graft/core';
import { knownCopy } from '@graft/doctor';
import { REPO_ROOT } from './project-copy.js';

/** The images whose test split is chosen by name (`split --test-pattern`). */
export const TEST_PATTERN = '^[^/]+/test-';

/** A copy of a real dataset with known faults injected, and where they are. */
export interface FaultyDataset {
  readonly root: string;
  /** Test images with a copy (exact or re-saved) added outside the test split. */
  readonly leakedTest: string[];
  /** Exact copies of an image put in another class folder: [original, copy]. */
  readonly conflicts: [string, string][];
  /** Images moved into a wrong class folder (their new paths). */
  readonly relabelled: string[];
  /** Off-topic pictures (noise, text, patterns) put into class folders. */
  readonly offTopic: string[];
  readonly images: number;
}

/** Off-topic pictures: nothing like the dataset's (noise, printed text, geometric patterns). */
async function offTopicImage(kind: number, random: SeededRandom): Promise<Buffer> {
  const side = 128;
  const raw = Buffer.alloc(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const at = (y * side + x) * 3;
      const value = [
        () => random.int(256), // noise
        () => (((x >> 3) + (y >> 3)) % 2 ? 255 : 0), // checkerboard
        () => ((y >> 2) % 2 ? 30 : 230), // stripes
        () => Math.round((255 * (x + y)) / (2 * side)), // gradient
        () => (((x >> 4) * 7 + (y >> 4) * 13) % 5 === 0 ? 0 : 255), // blocks
        () => random.int(256),
      ][kind % 6]!;
      raw[at] = value();
      raw[at + 1] = kind % 6 === 5 ? random.int(256) : raw[at]!;
      raw[at + 2] = kind % 6 === 5 ? random.int(256) : raw[at]!;
    }
  }
  if (kind >= 6) {
    const lines = ['Lorem ipsum dolor sit', 'amet, consectetur', 'adipiscing elit, sed', 'do eiusmod tempor'].map((line, i) => `<text x="4" y="${24 + i * 26}" font-size="14" font-family="serif">${line}</text>`).join('');
    return sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><rect width="100%" height="100%" fill="#fdfdf8"/>${lines}</svg>`)).png().toBuffer();
  }
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } }).png().toBuffer();
}

/**
 * The demo's noto emoji (274 images, 5 classes) with faults injected, seeded:
 * - 10 % of each class named `test-…` (the test split by --test-pattern);
 * - 12 test images copied outside the test split: 6 byte-for-byte, 3 resized, 3 re-encoded;
 * - 3 images copied byte-for-byte into another class (label conflicts);
 * - 5 % of the other images moved into a wrong class folder;
 * - 8 off-topic pictures in class folders.
 */
export async function makeFaultyDataset(seed = 7): Promise<FaultyDataset> {
  const source = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');
  const root = mkdtempSync(join(tmpdir(), 'graft-faulty-'));
  const random = new SeededRandom(seed);
  const classes = readdirSync(source).sort();
  const byClass = new Map<string, string[]>();
  for (const className of classes) {
    mkdirSync(join(root, className));
    const files = readdirSync(join(source, className)).sort();
    const test = new Set(random.shuffle([...files]).slice(0, Math.round(files.length / 10)));
    byClass.set(className, files.map((file) => {
      const name = test.has(file) ? `test-${file}` : file;
      copyFileSync(join(source, className, file), join(root, className, name));
      return `${className}/${name}`;
    }));
  }
  const all = [...byClass.values()].flat();
  const tests = random.shuffle(all.filter((path) => path.split('/')[1]!.startsWith('test-')));
  const others = random.shuffle(all.filter((path) => !path.split('/')[1]!.startsWith('test-')));
  const otherClass = (className: string) => {
    const rest = classes.filter((c) => c !== className);
    return rest[random.int(rest.length)]!;
  };

  const leakedTest = tests.slice(0, 12);
  for (const [i, path] of leakedTest.entries()) {
    const [className, file] = path.split('/') as [string, string];
    const plain = file.replace(/^test-/, '');
    if (i < 6) copyFileSync(join(root, path), join(root, className, `leak-${plain}`));
    else writeFileSync(join(root, className, `leak-${plain}.jpg`), await knownCopy(readFileSync(join(root, path)), i < 9 ? 'resized' : 'reencoded'));
  }
  const conflicts: [string, string][] = others.slice(0, 3).map((path) => {
    const [className, file] = path.split('/') as [string, string];
    const copy = `${otherClass(className)}/conflict-${file}`;
    copyFileSync(join(root, path), join(root, copy));
    return [path, copy];
  });
  const relabelled = others.slice(3, 3 + Math.round(all.length / 20)).map((path) => {
    const [className, file] = path.split('/') as [string, string];
    const moved = `${otherClass(className)}/${file}`;
    renameSync(join(root, path), join(root, moved));
    return moved;
  });
  const offTopic: string[] = [];
  for (let kind = 0; kind < 8; kind++) {
    const path = `${classes[random.int(classes.length)]!}/odd-${kind}.png`;
    writeFileSync(join(root, path), await offTopicImage(kind, random));
    offTopic.push(path);
  }
  const images = classes.reduce((sum, className) => sum + readdirSync(join(root, className)).length, 0);
  return { root, leakedTest, conflicts, relabelled, offTopic, images };
}
