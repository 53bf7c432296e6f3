/** Keras padding modes of convolution and pooling layers. */
export type KerasPadding = 'valid' | 'same' | 'causal';

/**
 * Explicit ONNX `pads` ([top, left, bottom, right]) reproducing TensorFlow's padding of a 2-D window
 * over an input of static size `inputSize` ([H, W]). TF 'same' pads `total = max((out-1)*stride +
 * effectiveKernel - in, 0)` with `floor(total/2)` before and the rest (the odd extra) after.
 */
export function tfPads2d(padding: string, inputSize: readonly (number | null)[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[] = [1, 1]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new Error(`padding '${padding}' is not supported`);
  const before: number[] = [];
  const after: number[] = [];
  for (let axis = 0; axis < 2; axis++) {
    const size = inputSize[axis];
    const effectiveKernel = (kernel[axis]! - 1) * dilations[axis]! + 1;
    const stride = strides[axis]!;
    let total: number;
    if (size == null) {
      // Unknown size: exact only when the total does not depend on it (stride 1).
      if (stride !== 1) throw new Error(`'same' padding with stride ${stride} needs a static input size`);
      total = effectiveKernel - 1;
    } else {
      const out = Math.ceil(size / stride);
      total = Math.max((out - 1) * stride + effectiveKernel - size, 0);
    }
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [before[0]!, before[1]!, after[0]!, after[1]!];
}

/** Normalise a Keras int-or-pair argument to a pair. */
export function pair(value: unknown, what: string): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0] as number, value[1] as number];
  throw new Error(`${what}: expected a number or a pair of numbers, got ${JSON.stringify(value)}`);
}
