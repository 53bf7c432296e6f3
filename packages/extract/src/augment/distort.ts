import { SeededRandom, sha256, stableStringify } from '@graft/core';
import { openImage, type DecodeOptions, type Preprocessing } from '../preprocessing.js';

/** retrain.py's distortion flags, as extract params. Percentages as in retrain.py. */
export interface AugmentationSettings {
  /** Distorted copies per training image (0 = no augmentation). */
  readonly copies: number;
  readonly flipLeftRight: boolean;
  /** Margin around the crop, as a percentage of the input size. */
  readonly randomCrop: number;
  /** Up to this percentage of extra enlargement before the crop. */
  readonly randomScale: number;
  /** Pixel values are multiplied by a factor within ± this percentage. */
  readonly randomBrightness: number;
  readonly seed: number;
}

/** The distortion of one copy: every number it takes, rounded so its JSON is short and exact. */
export interface Distortion {
  /** Mirror left-right (after the crop). */
  readonly flip: boolean;
  /** The image is resized to round(size × scale) square before the crop (scale ≥ 1). */
  readonly scale: number;
  /** Position of the size×size crop within the resized image: fractions of the slack, in [0, 1). */
  readonly cropX: number;
  readonly cropY: number;
  /** Pixel values (0..255) are multiplied by this, without clipping (as retrain.py). */
  readonly brightness: number;
}

const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;

/**
 * The distortion of copy `copy` of the image with content `contentSha256`: drawn from a random
 * stream seeded by (seed, content, copy), so it never depends on file names, order or the number
 * of copies — copy k is the same image whether 2 or 10 copies are made. Follows retrain.py's
 * `add_input_distortions`: scale = (1 + crop%) × uniform(1, 1 + scale%), a random crop back to the
 * input size, a random left-right flip, brightness × uniform(1 − b%, 1 + b%).
 */
export function distortionFor(settings: AugmentationSettings, contentSha256: string, copy: number): Distortion {
  const random = new SeededRandom(Number.parseInt(sha256(`${settings.seed}/${contentSha256}/${copy}`).slice(0, 8), 16));
  const [u1, u2, u3, u4, u5] = [random.next(), random.next(), random.next(), random.next(), random.next()];
  const scale = (1 + settings.randomCrop / 100) * (1 + u1 * (settings.randomScale / 100));
  const brightness = 1 - settings.randomBrightness / 100 + u5 * (2 * settings.randomBrightness / 100);
  const crops = scale > 1;
  return {
    flip: settings.flipLeftRight && u4 < 0.5,
    scale: round6(scale),
    cropX: crops ? round6(u2) : 0,
    cropY: crops ? round6(u3) : 0,
    brightness: round6(brightness),
  };
}

/** Feature cache key of a distorted copy: content hash + hash of the distortion. */
export function distortionCacheKey(contentSha256: string, distortion: Distortion): string {
  return sha256(`${contentSha256}:${stableStringify(distortion)}`);
}

/**
 * Decode an image file like `decodeInto` but distorted: the same decoding steps, resized with the
 * same kernel to round(size × scale), cropped to size×size at (cropX, cropY) of the slack, then
 * mirrored and brightened while converted to the network's input range.
 */
export async function decodeDistortedInto(bytes: Uint8Array, preprocessing: Preprocessing, distortion: Distortion, options: DecodeOptions, target: Float32Array, offset: number): Promise<void> {
  const size = preprocessing.size;
  const resized = Math.max(size, Math.round(size * distortion.scale));
  const slack = resized - size;
  const { data, info } = await openImage(bytes, preprocessing, options)
    .resize(resized, resized, { fit: preprocessing.fit, kernel: preprocessing.kernel })
    .extract({ left: Math.floor(distortion.cropX * (slack + 1)), top: Math.floor(distortion.cropY * (slack + 1)), width: size, height: size })
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || data.length !== size * size * 3) throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×3`);
  const gain = distortion.brightness * preprocessing.scale;
  const shift = preprocessing.offset;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + (distortion.flip ? size - 1 - x : x)) * 3;
      const to = offset + (y * size + x) * 3;
      target[to] = data[from]! * gain + shift;
      target[to + 1] = data[from + 1]! * gain + shift;
      target[to + 2] = data[from + 2]! * gain + shift;
    }
  }
}
