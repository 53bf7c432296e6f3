import sharp from 'sharp';

/**
 * The ways a picture turns up twice in a dataset without being the same file: saved smaller,
 * saved again with a stronger JPEG compression, cropped slightly. The near-duplicate threshold is
 * measured on such copies against distinct images (bench/doctor-threshold.ts), and the tests
 * inject them as leaks.
 */
export const COPY_KINDS = ['resized', 'reencoded', 'cropped'] as const;
export type CopyKind = (typeof COPY_KINDS)[number];

/** A modified copy of an image file's bytes, as a JPEG. */
export async function knownCopy(bytes: Uint8Array, kind: CopyKind): Promise<Buffer> {
  const image = sharp(bytes).rotate().flatten({ background: '#ffffff' });
  const { width = 1, height = 1 } = await sharp(bytes).metadata();
  switch (kind) {
    case 'resized':
      return image.resize(Math.max(8, Math.round(width * 0.75)), Math.max(8, Math.round(height * 0.75))).jpeg({ quality: 90 }).toBuffer();
    case 'reencoded':
      return image.jpeg({ quality: 60 }).toBuffer();
    case 'cropped': {
      const [left, top] = [Math.round(width * 0.04), Math.round(height * 0.04)];
      return image.extract({ left, top, width: width - 2 * left, height: height - 2 * top }).jpeg({ quality: 90 }).toBuffer();
    }
  }
}
