import { SeededRandom } from '@graft/core';
import { tf } from '@graft/tf';

/** One random distortion: horizontal flip, a crop of 80–100 % of the side (resized back), a brightness shift. */
export interface Distortion {
  readonly flip: boolean;
  /** Crop box [y1, x1, y2, x2] in relative coordinates. */
  readonly box: [number, number, number, number];
  readonly brightness: number;
}

/** A distortion drawn from a generator seeded by (seed, image content, copy): the same whatever the order. */
export function distortionFor(seed: number, sha256: string, copy: number): Distortion {
  const random = new SeededRandom((seed ^ Number.parseInt(sha256.slice(0, 8), 16) ^ Math.imul(copy + 1, 0x9e3779b1)) >>> 0);
  const side = 0.8 + 0.2 * random.next();
  const y1 = (1 - side) * random.next();
  const x1 = (1 - side) * random.next();
  return { flip: random.next() < 0.5, box: [y1, x1, y1 + side, x1 + side], brightness: (random.next() - 0.5) * 0.2 };
}

/**
 * Apply distortions to a batch of network inputs (NHWC, values in [low, high]): crop and resize back
 * (bilinear), flip, shift brightness by a fraction of the range, clip.
 */
export function distort(batch: tf.Tensor4D, distortions: readonly Distortion[], range: { low: number; high: number }): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width] = batch.shape;
    const boxes = tf.tensor2d(distortions.flatMap((d) => d.box), [n, 4]);
    let out = tf.image.cropAndResize(batch, boxes, tf.range(0, n, 1, 'int32') as tf.Tensor1D, [height, width], 'bilinear');
    const flipped = tf.reverse(out, 2);
    const flipMask = tf.tensor4d(distortions.map((d) => (d.flip ? 1 : 0)), [n, 1, 1, 1]);
    out = tf.add(tf.mul(flipped, flipMask), tf.mul(out, tf.sub(1, flipMask)));
    const shift = tf.tensor4d(distortions.map((d) => d.brightness * (range.high - range.low)), [n, 1, 1, 1]);
    return tf.clipByValue(tf.add(out, shift), range.low, range.high) as tf.Tensor4D;
  });
}
