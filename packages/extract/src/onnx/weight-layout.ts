/** Keras Conv2D kernel [kh, kw, in, out] → ONNX Conv weight [out, in, kh, kw]. */
export function hwioToOihw(kernel: Float32Array, shape: readonly number[]): Float32Array {
  const [kh, kw, ci, co] = checkShape(kernel, shape);
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < ci; i++) {
        const source = ((y * kw + x) * ci + i) * co;
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = kernel[source + o]!;
      }
    }
  }
  return out;
}

/**
 * Keras DepthwiseConv2D kernel [kh, kw, in, multiplier] → ONNX grouped Conv weight
 * [in * multiplier, 1, kh, kw] with group = in (output channel c * multiplier + m, as in TF).
 */
export function depthwiseToOihw(kernel: Float32Array, shape: readonly number[]): Float32Array {
  const [kh, kw, ci, multiplier] = checkShape(kernel, shape);
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < ci; i++) {
        const source = ((y * kw + x) * ci + i) * multiplier;
        for (let m = 0; m < multiplier; m++) out[((i * multiplier + m) * kh + y) * kw + x] = kernel[source + m]!;
      }
    }
  }
  return out;
}

function checkShape(kernel: Float32Array, shape: readonly number[]): [number, number, number, number] {
  if (shape.length !== 4) throw new Error(`expected a 4-D kernel, got shape [${shape.join(', ')}]`);
  const size = shape.reduce((product, dim) => product * dim, 1);
  if (size !== kernel.length) throw new Error(`kernel shape [${shape.join(', ')}] does not match ${kernel.length} values`);
  return shape as [number, number, number, number];
}
