import { afterAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '@graft/core';
import { tf, useTfjsBackend } from '@graft/tf';
import { registerWasmGradients } from '../src/wasm-gradients.js';

const values = (shape: number[], seed: number) => {
  const random = new SeededRandom(seed);
  return { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.normal()) };
};

type Case = { name: string; x: number[]; w: number[]; strides: number; pad: 'same' | 'valid'; depthwise: boolean };
const CASES: Case[] = [
  { name: 'conv 1×1', x: [2, 5, 5, 3], w: [1, 1, 3, 4], strides: 1, pad: 'same', depthwise: false },
  { name: 'conv 3×3 same', x: [2, 6, 6, 3], w: [3, 3, 3, 2], strides: 1, pad: 'same', depthwise: false },
  { name: 'conv 1×7 same', x: [1, 7, 7, 2], w: [1, 7, 2, 3], strides: 1, pad: 'same', depthwise: false },
  { name: 'conv 3×3 valid', x: [2, 6, 5, 3], w: [3, 3, 3, 2], strides: 1, pad: 'valid', depthwise: false },
  { name: 'conv 3×3 stride 2 same', x: [2, 8, 7, 3], w: [3, 3, 3, 2], strides: 2, pad: 'same', depthwise: false },
  { name: 'conv 1×1 stride 2', x: [1, 6, 6, 3], w: [1, 1, 3, 2], strides: 2, pad: 'same', depthwise: false },
  { name: 'conv 3×3 stride 2 valid', x: [2, 7, 7, 2], w: [3, 3, 2, 2], strides: 2, pad: 'valid', depthwise: false },
  { name: 'depthwise 3×3 same', x: [2, 5, 5, 4], w: [3, 3, 4, 1], strides: 1, pad: 'same', depthwise: true },
  { name: 'depthwise 3×3 valid', x: [1, 6, 6, 3], w: [3, 3, 3, 1], strides: 1, pad: 'valid', depthwise: true },
  { name: 'depthwise 3×3 stride 2 same (even size)', x: [2, 8, 8, 3], w: [3, 3, 3, 1], strides: 2, pad: 'same', depthwise: true },
  { name: 'depthwise 3×3 stride 2 same (odd size)', x: [1, 7, 7, 2], w: [3, 3, 2, 1], strides: 2, pad: 'same', depthwise: true },
  { name: 'depthwise 3×3 stride 2 valid', x: [1, 9, 8, 2], w: [3, 3, 2, 1], strides: 2, pad: 'valid', depthwise: true },
];

/** Gradients of Σ (conv(x, w) ⊙ r) with respect to x and w on the current backend. */
function gradients(c: Case) {
  const x = values(c.x, 1);
  const w = values(c.w, 2);
  const xs = tf.tensor4d(x.data, c.x as [number, number, number, number]);
  const ws = tf.tensor4d(w.data, c.w as [number, number, number, number]);
  const f = (a: tf.Tensor, b: tf.Tensor) => {
    const y = c.depthwise ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad) : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
    const r = values(y.shape, 3);
    return tf.sum(tf.mul(y, tf.tensor(r.data, y.shape)));
  };
  const [dx, dw] = tf.grads(f)([xs, ws]);
  return { dx: Array.from(dx!.dataSync()), dw: Array.from(dw!.dataSync()) };
}

describe('gradient kernels composed for the wasm backend agree with the cpu backend', () => {
  afterAll(async () => {
    await useTfjsBackend();
  });

  it.each(CASES)('$name', async (c) => {
    await useTfjsBackend('cpu');
    const reference = gradients(c);
    await useTfjsBackend('wasm');
    registerWasmGradients();
    const wasm = gradients(c);
    expect(wasm.dw.length).toBe(reference.dw.length);
    wasm.dw.forEach((v, i) => expect(v).toBeCloseTo(reference.dw[i]!, 3));
    wasm.dx.forEach((v, i) => expect(v).toBeCloseTo(reference.dx[i]!, 3));
  });
});
