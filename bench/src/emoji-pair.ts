/**
 * An emoji domain-adaptation pair from two vendors' images of the same emoji, written as image folders:
 * class = the emoji's Unicode subcategory (emoji-datasource's `subcategory`: animal-mammal,
 * transport-ground, sky & weather, …), source = Twitter's Twemoji, target = Google's Noto Emoji.
 * The 17 largest subcategories that have both vendors' images (Flags, Component and the family
 * composites left out), at most `perClass` emoji each, 64 px PNGs flattened on white.
 *
 * Images come from the npm packages `emoji-datasource-twitter` and `emoji-datasource-google` (MIT
 * package; the graphics are Twemoji, CC-BY 4.0, © Twitter / jdecked, and Noto Emoji, Apache-2.0,
 * © Google), fetched with `npm pack` into `root/packages` once; nothing is committed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const PACKAGES = { source: 'emoji-datasource-twitter@16.0.0', target: 'emoji-datasource-google@16.0.0' } as const;
const VENDORS = { source: 'twitter', target: 'google' } as const;
const LEFT_OUT_CATEGORIES = new Set(['Flags', 'Component']);
const LEFT_OUT_SUBCATEGORIES = new Set(['family']);

export interface EmojiEntry { image: string; unified: string; category: string; subcategory: string; has_img_twitter: boolean; has_img_google: boolean; sort_order: number }

/** The package's files under root/packages/<vendor>/package (npm pack + tar, once). */
export function unpacked(root: string, domain: 'source' | 'target'): string {
  const folder = join(root, 'packages', VENDORS[domain]);
  if (!existsSync(join(folder, 'package', 'emoji.json'))) {
    mkdirSync(folder, { recursive: true });
    const file = execFileSync('npm', ['pack', PACKAGES[domain], '--pack-destination', folder, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['xzf', join(folder, file), '-C', folder, '--wildcards', 'package/emoji.json', `package/img/${VENDORS[domain]}/64/*`]);
  }
  return join(folder, 'package');
}

/** Subcategory → emoji (by sort order), for the largest `classes` subcategories both vendors draw. */
export function emojiClasses(entries: readonly EmojiEntry[], classes: number, perClass: number, drawnByBoth: (e: EmojiEntry) => boolean = (e) => e.has_img_twitter && e.has_img_google): Map<string, EmojiEntry[]> {
  const bySubcategory = new Map<string, EmojiEntry[]>();
  for (const e of [...entries].sort((a, b) => a.sort_order - b.sort_order)) {
    if (!drawnByBoth(e) || LEFT_OUT_CATEGORIES.has(e.category) || LEFT_OUT_SUBCATEGORIES.has(e.subcategory)) continue;
    bySubcategory.set(e.subcategory, [...(bySubcategory.get(e.subcategory) ?? []), e]);
  }
  const largest = [...bySubcategory].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0])).slice(0, classes);
  return new Map(largest.map(([name, list]) => [name, list.slice(0, perClass)]));
}

/** Build (once) the source and target folders under `root`; returns their paths. */
export async function emojiPair(root: string, options: { classes: number; perClass: number }): Promise<{ source: string; target: string }> {
  const folders = { source: join(root, 'twemoji'), target: join(root, 'noto') };
  for (const domain of ['source', 'target'] as const) {
    const done = `${folders[domain]}.complete`;
    if (existsSync(done)) continue;
    const pkg = unpacked(root, domain);
    const entries = JSON.parse(readFileSync(join(pkg, 'emoji.json'), 'utf8')) as EmojiEntry[];
    for (const [subcategory, list] of emojiClasses(entries, options.classes, options.perClass)) {
      const folder = join(folders[domain], subcategory.replace(/[^a-z0-9]+/gi, '-'));
      mkdirSync(folder, { recursive: true });
      for (const e of list) {
        const png = await sharp(join(pkg, 'img', VENDORS[domain], '64', e.image)).flatten({ background: '#ffffff' }).png().toBuffer();
        writeFileSync(join(folder, e.image), png);
      }
    }
    writeFileSync(done, '');
  }
  return folders;
}
