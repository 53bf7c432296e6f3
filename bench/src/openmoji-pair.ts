/**
 * A drawings → renderings domain-adaptation pair: OpenMoji's black line drawings (source) and Google's
 * Noto Emoji colour renderings (target) of the same emoji, class = the emoji's Unicode subcategory as
 * in bench/src/emoji-pair.ts (the 17 largest both draw, at most `perClass` each). OpenMoji's SVGs are
 * rendered at 72 px on white by sharp (librsvg); Noto's 64 px PNGs flattened on white.
 *
 * Images come from the npm packages `openmoji` (CC-BY-SA 4.0, © OpenMoji / HfG Schwäbisch Gmünd) and
 * `emoji-datasource-google` (Noto Emoji, Apache-2.0), fetched with `npm pack` into `root/packages`
 * once; nothing is committed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { emojiClasses, unpacked, type EmojiEntry } from './emoji-pair.js';

const OPENMOJI = 'openmoji@17.0.0';

/** OpenMoji's black SVGs under root/packages/openmoji/package/black/svg (npm pack + tar, once). */
function openmojiDrawings(root: string): string {
  const folder = join(root, 'packages', 'openmoji');
  const svgs = join(folder, 'package', 'black', 'svg');
  if (!existsSync(svgs)) {
    mkdirSync(folder, { recursive: true });
    const file = execFileSync('npm', ['pack', OPENMOJI, '--pack-destination', folder, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['xzf', join(folder, file), '-C', folder, '--wildcards', 'package/black/svg/*']);
  }
  return svgs;
}

/** OpenMoji names its files by the emoji's code points, upper case, as emoji-datasource's `unified`. */
const drawingOf = (svgs: string, e: EmojiEntry) => join(svgs, `${e.unified.toUpperCase()}.svg`);

/** Build (once) the source (drawings) and target (Noto) folders under `root`; returns their paths. */
export async function openmojiPair(root: string, options: { classes: number; perClass: number }): Promise<{ source: string; target: string }> {
  const folders = { source: join(root, 'openmoji-black'), target: join(root, 'noto') };
  if (existsSync(`${folders.source}.complete`) && existsSync(`${folders.target}.complete`)) return folders;
  const svgs = openmojiDrawings(root);
  const noto = unpacked(root, 'target');
  const entries = JSON.parse(readFileSync(join(noto, 'emoji.json'), 'utf8')) as EmojiEntry[];
  const classes = emojiClasses(entries, options.classes, options.perClass, (e) => e.has_img_google && existsSync(drawingOf(svgs, e)));
  for (const [subcategory, list] of classes) {
    const name = subcategory.replace(/[^a-z0-9]+/gi, '-');
    mkdirSync(join(folders.source, name), { recursive: true });
    mkdirSync(join(folders.target, name), { recursive: true });
    for (const e of list) {
      writeFileSync(join(folders.source, name, e.image), await sharp(drawingOf(svgs, e), { density: 72 }).resize(72, 72).flatten({ background: '#ffffff' }).png().toBuffer());
      writeFileSync(join(folders.target, name, e.image), await sharp(join(noto, 'img', 'google', '64', e.image)).flatten({ background: '#ffffff' }).png().toBuffer());
    }
  }
  writeFileSync(`${folders.source}.complete`, '');
  writeFileSync(`${folders.target}.complete`, '');
  return folders;
}
