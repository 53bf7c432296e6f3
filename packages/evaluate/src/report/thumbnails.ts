import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { sha256 } from '@graft/core';
import type { ManifestRow } from '@graft/split';

/** Longest side of a report thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 96;

/** A thumbnail as a `data:` URI, or why there is none. */
export type Thumbnail = { readonly uri: string } | { readonly missing: string };

/**
 * A small JPEG of a dataset image as a `data:image/jpeg;base64,…` URI, made with sharp from the
 * file the manifest names (EXIF orientation applied, transparency on white). The file must still
 * have the content split saw; otherwise the reason is returned instead.
 */
export async function thumbnailOf(row: Pick<ManifestRow, 'path' | 'sha256' | 'width' | 'height'>, dataDir: string): Promise<Thumbnail> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(join(dataDir, row.path));
  } catch (error) {
    return { missing: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  if (sha256(bytes) !== row.sha256) return { missing: 'the file changed since split' };
  try {
    const jpeg = await sharp(bytes, { failOn: 'error', limitInputPixels: Math.max(1, row.width * row.height) })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82 })
      .toBuffer();
    return { uri: `data:image/jpeg;base64,${jpeg.toString('base64')}` };
  } catch (error) {
    return { missing: `cannot decode: ${String((error as Error).message).split('\n')[0]}` };
  }
}
