import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '@graft/core';
import { tf, useTfjsBackend } from '@graft/tf';
import { coralDistance, multiKernelGaussian, pairwiseSquaredDistances, unbiasedMmdSquared, stack } from '@graft/similarity';
import { coralLoss, dannRamp, entropyLoss, gradientReversal, mmdLoss, MMD_KERNEL_SCALES } from '../src/losses.js';

function gaussian(n: number, d: number, seed: number, shift = 0, scale = 1) {
  const random = new SeededRandom(seed);
  return { values: Float32Array.from({ length: n * d }, () => random.normal() * scale + shift), count: n, dimension: d };
}

describe('adaptation losses (tfjs) agree with the similarity measures (plain JS)', () => {
  beforeAll(async () => {
    await useTfjsBackend();
  });

  it('Deep CORAL loss = CORAL distance of the two batches', () => {
    const a = gaussian(32, 6, 1);
    const b = gaussian(32, 6, 2, 0.3, 1.7);
    const loss = tf.tidy(() => coralLoss(tf.tensor2d(a.values, [32, 6]), tf.tensor2d(b.values, [32, 6])).dataSync()[0]!);
    expect(loss).toBeCloseTo(coralDistance(a, b), 5);
    expect(loss).toBeGreaterThan(0.01);
  });

  it('multi-kernel MMD loss = unbiased MMD² with the batch-mean bandwidth', () => {
    const a = gaussian(16, 5, 3);
    const b = gaussian(16, 5, 4, 0.8);
    const loss = tf.tidy(() => mmdLoss(tf.tensor2d(a.values, [16, 5]), tf.tensor2d(b.values, [16, 5])).dataSync()[0]!);
    const distances = pairwiseSquaredDistances(stack(a, b));
    const meanDistance = distances.reduce((s, v) => s + v, 0) / (32 * 32 - 32);
    const gram = multiKernelGaussian(distances, 32, meanDistance, MMD_KERNEL_SCALES);
    const expected = unbiasedMmdSquared(gram, Uint8Array.from({ length: 32 }, (_, i) => (i < 16 ? 1 : 0)));
    expect(loss).toBeCloseTo(expected, 4);
    const same = tf.tidy(() => mmdLoss(tf.tensor2d(a.values, [16, 5]), tf.tensor2d(gaussian(16, 5, 5).values, [16, 5])).dataSync()[0]!);
    expect(loss).toBeGreaterThan(5 * Math.abs(same));
  });

  it('gradient reversal: identity forward, −λ × gradient backward', () => {
    let coefficient = 0.25;
    const reverse = gradientReversal(() => coefficient);
    const x = tf.tensor1d([1, -2, 3]);
    expect(Array.from(tf.tidy(() => reverse(x).dataSync()))).toEqual([1, -2, 3]);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(reverse(input), tf.tensor1d([1, 2, 3]))));
    expect(Array.from(gradient(x).dataSync())).toEqual([-0.25, -0.5, -0.75]);
    coefficient = 1;
    expect(Array.from(gradient(x).dataSync())).toEqual([-1, -2, -3]);
  });

  it("DANN's schedule λ_p = 2/(1+exp(−10p)) − 1 rises from 0 to ≈ 1", () => {
    expect(dannRamp(0)).toBe(0);
    expect(dannRamp(0.1)).toBeCloseTo(2 / (1 + Math.exp(-1)) - 1, 12);
    expect(dannRamp(1)).toBeGreaterThan(0.9999);
  });

  it('entropy loss: 0 for confident logits, log C for uniform ones', () => {
    const uniform = tf.tidy(() => entropyLoss(tf.zeros([4, 5]) as tf.Tensor2D).dataSync()[0]!);
    expect(uniform).toBeCloseTo(Math.log(5), 5);
    const confident = tf.tidy(() => entropyLoss(tf.tensor2d([[50, 0, 0], [0, 50, 0]])).dataSync()[0]!);
    expect(confident).toBeLessThan(1e-6);
  });
});
