import { Progress } from '@graft/core';
import { decodeManifestImage, type ImageLocation, type Preprocessing } from '@graft/extract';
import type { ManifestRow } from '@graft/split';
import { tf } from '@graft/tf';
import { distort, distortionFor } from './augment.js';

/** Activations at the cut point of a set of images (row-major, one `shape`-sized block per image). */
export interface CutActivations {
  readonly values: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
  /** Per-image activation shape, e.g. [7, 7, 160]. */
  readonly shape: number[];
}

/**
 * Run the frozen lower part once over `rows` (and, with `copies` > 0, over that many distorted
 * copies of each), so that every fine-tuning epoch only runs the unfrozen part. Images that cannot
 * be decoded are left out.
 */
export async function cutActivations(lower: tf.LayersModel, rows: readonly ManifestRow[], images: ImageLocation, preprocessing: Preprocessing, options: { copies: number; seed: number; batchSize: number; label: string; quiet: boolean }): Promise<CutActivations> {
  const size = preprocessing.size;
  const imageSize = size * size * 3;
  const shape = (lower.outputs[0] as tf.SymbolicTensor).shape.slice(1) as number[];
  const perImage = shape.reduce((a, b) => a * b, 1);
  const versions = 1 + options.copies;
  const values = new Float32Array(rows.length * versions * perImage);
  const labels = new Int32Array(rows.length * versions);
  const range = { low: preprocessing.offset, high: 255 * preprocessing.scale + preprocessing.offset };
  const progress = new Progress(`finetune: ${options.label} activations`, rows.length * versions, { quiet: options.quiet });
  let count = 0;
  const input = new Float32Array(options.batchSize * imageSize);
  for (let start = 0; start < rows.length; start += options.batchSize) {
    const batch = rows.slice(start, start + options.batchSize);
    const kept: ManifestRow[] = [];
    for (const row of batch) {
      if ((await decodeManifestImage(row, images, preprocessing, input, kept.length * imageSize)) === undefined) kept.push(row);
    }
    if (kept.length === 0) continue;
    const original = tf.tensor4d(input.subarray(0, kept.length * imageSize), [kept.length, size, size, 3]);
    for (let copy = 0; copy < versions; copy++) {
      const activation = tf.tidy(() => {
        const x = copy === 0 ? original : distort(original, kept.map((row) => distortionFor(options.seed, row.sha256, copy)), range);
        return lower.predict(x) as tf.Tensor;
      });
      values.set(activation.dataSync() as Float32Array, count * perImage);
      activation.dispose();
      kept.forEach((row, i) => (labels[count + i] = row.classIndex));
      count += kept.length;
      progress.tick(kept.length);
    }
    original.dispose();
  }
  progress.finish();
  return { values: values.subarray(0, count * perImage), labels: labels.subarray(0, count), count, shape };
}
