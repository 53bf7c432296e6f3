import { BackboneError } from '@graft/core';
import { tf } from '@graft/tf';

/**
 * Gradient kernels the tfjs wasm backend lacks (tfjs 4.22), composed from ops it has, so the
 * unfrozen convolution layers train on wasm (tfjs' pure-JS cpu backend, which has them, is ~100×
 * slower). Each is checked against the cpu backend in test/wasm-gradients.test.ts.
 * - Conv2DBackpropFilter: for each filter tap, a strided slice of the padded input times dy.
 * - DepthwiseConv2dNativeBackpropFilter (channel multiplier 1): per tap, Σ slice ⊙ dy.
 * - DepthwiseConv2dNativeBackpropInput (multiplier 1, any stride): per tap, dy ⊙ w shifted back into
 *   place (for stride s, dy spread out with s − 1 zeros between values first).
 */

type Attributes = Record<string, unknown>;
type KernelArguments = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: Attributes };

type WasmBackend = {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset: undefined, values: Float32Array): tf.TensorInfo;
};
/** A kernel input as a tensor of its own (a copy: wrapping the engine's data would let our scope free it). */
let currentBackend: WasmBackend;
const tensorOf = (info: tf.TensorInfo) => tf.tensor(Float32Array.from(currentBackend.typedArrayFromHeap(info)), info.shape, 'float32');

/**
 * A kernel's output must be data the engine alone owns: compute with ops, then hand over a copy
 * (returning an op's tensor would let its scope free the data under the engine).
 */
function composed(compute: (args: KernelArguments) => tf.Tensor): (args: KernelArguments) => tf.TensorInfo {
  return (args) => {
    currentBackend = args.backend as WasmBackend;
    const result = compute(args);
    const values = Float32Array.from(result.dataSync() as Float32Array);
    result.dispose();
    return currentBackend.makeOutput(result.shape, 'float32', undefined, values);
  };
}

function convInfo(inputShape: number[], filterShape: number[], attrs: Attributes, depthwise: boolean) {
  const strides = attrs.strides as [number, number] | number;
  const dilations = (attrs.dilations ?? 1) as [number, number] | number;
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') throw new BackboneError('finetune: only NHWC convolutions can be trained on wasm');
  return tf.backend_util.computeConv2DInfo(inputShape as [number, number, number, number], filterShape as [number, number, number, number], strides, dilations, attrs.pad as 'same', attrs.dimRoundingMode as 'floor' | undefined, depthwise);
}

/** The input zero-padded as the forward convolution padded it, and the strided slice under filter tap (i, j). */
function taps(x: tf.Tensor4D, info: ReturnType<typeof convInfo>) {
  const { top, bottom, left, right } = info.padInfo;
  const padded = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
  const [n, , , channels] = x.shape;
  return (i: number, j: number) => {
    const y0 = i * info.dilationHeight;
    const x0 = j * info.dilationWidth;
    return tf.stridedSlice(padded, [0, y0, x0, 0], [n, y0 + (info.outHeight - 1) * info.strideHeight + 1, x0 + (info.outWidth - 1) * info.strideWidth + 1, channels], [1, info.strideHeight, info.strideWidth, 1]) as tf.Tensor4D;
  };
}

function conv2DBackpropFilter({ inputs, attrs }: KernelArguments): tf.Tensor {
  return tf.tidy(() => {
    const x = tensorOf(inputs.x!) as tf.Tensor4D;
    const dy = tensorOf(inputs.dy!) as tf.Tensor4D;
    const filterShape = attrs!.filterShape as [number, number, number, number];
    const [fh, fw, inChannels, outChannels] = filterShape;
    const info = convInfo(x.shape, filterShape, attrs!, false);
    const sliceAt = taps(x, info);
    const dy2 = tf.reshape(dy, [-1, outChannels]);
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) parts.push(tf.matMul(tf.transpose(tf.reshape(sliceAt(i, j), [-1, inChannels])), dy2));
    return tf.reshape(tf.stack(parts), filterShape);
  });
}

function depthwiseBackpropFilter({ inputs, attrs }: KernelArguments): tf.Tensor {
  return tf.tidy(() => {
    const x = tensorOf(inputs.x!) as tf.Tensor4D;
    const dy = tensorOf(inputs.dy!) as tf.Tensor4D;
    const filterShape = attrs!.filterShape as [number, number, number, number];
    const [fh, fw, channels, multiplier] = filterShape;
    if (multiplier !== 1) throw new BackboneError(`finetune: depthwise convolutions with channel multiplier ${multiplier} cannot be trained on wasm`);
    const sliceAt = taps(x, convInfo(x.shape, filterShape, attrs!, true));
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) parts.push(tf.sum(tf.mul(sliceAt(i, j), dy), [0, 1, 2]));
    return tf.reshape(tf.stack(parts), [fh, fw, channels, 1]);
  });
}

function depthwiseBackpropInput({ inputs, attrs }: KernelArguments): tf.Tensor {
  return tf.tidy(() => {
    const filter = tensorOf(inputs.filter!) as tf.Tensor4D;
    const inputShape = attrs!.inputShape as [number, number, number, number];
    const [fh, fw, channels, multiplier] = filter.shape;
    const info = convInfo(inputShape, filter.shape, attrs!, true);
    if (multiplier !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) {
      throw new BackboneError('finetune: only undilated depthwise convolutions (multiplier 1) can be trained on wasm: unfreeze fewer blocks');
    }
    // With stride s, dy is spread out first (s − 1 zeros between its values): then every stride is 1.
    const dy = spreadOut(tensorOf(inputs.dy!) as tf.Tensor4D, info.strideHeight, info.strideWidth);
    const [n, height, width] = inputShape;
    const { top, bottom, left, right } = info.padInfo;
    const paddedHeight = Math.max(height + top + bottom, dy.shape[1] + fh - 1);
    const paddedWidth = Math.max(width + left + right, dy.shape[2] + fw - 1);
    let gradient = tf.zeros([n, paddedHeight, paddedWidth, channels]) as tf.Tensor4D;
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const weight = tf.reshape(tf.slice(filter, [i, j, 0, 0], [1, 1, channels, 1]), [channels]);
        const contribution = tf.mul(dy, weight) as tf.Tensor4D;
        gradient = tf.add(gradient, tf.pad(contribution, [[0, 0], [i, paddedHeight - dy.shape[1] - i], [j, paddedWidth - dy.shape[2] - j], [0, 0]])) as tf.Tensor4D;
      }
    }
    return tf.slice(gradient, [0, top, left, 0], [n, height, width, channels]) as tf.Tensor;
  });
}

/** dy of a strided convolution placed at the positions the stride skipped over: [n, (h−1)·sh + 1, (w−1)·sw + 1, c]. */
function spreadOut(dy: tf.Tensor4D, strideHeight: number, strideWidth: number): tf.Tensor4D {
  if (strideHeight === 1 && strideWidth === 1) return dy;
  const [n, height, width, channels] = dy.shape;
  const spread = tf.reshape(tf.pad(tf.reshape(dy, [n, height, 1, width, 1, channels]), [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]]), [n, height * strideHeight, width * strideWidth, channels]);
  return tf.slice(spread, [0, 0, 0, 0], [n, (height - 1) * strideHeight + 1, (width - 1) * strideWidth + 1, channels]) as tf.Tensor4D;
}

/**
 * Conv2DBackpropInput as one matMul per filter tap shifted into place (a 1×1 convolution is a
 * single matMul; for stride s, dy is spread out first): tfjs-wasm's own kernel is a naive loop, ~10×
 * slower on the 1×1 convolutions that dominate MobileNetV2 and InceptionV3 blocks. Dilated
 * convolutions keep tfjs' kernel.
 */
function conv2DBackpropInput({ inputs, attrs }: KernelArguments): tf.Tensor {
  return tf.tidy(() => {
    const filter = tensorOf(inputs.filter!) as tf.Tensor4D;
    const inputShape = attrs!.inputShape as [number, number, number, number];
    const [fh, fw, inChannels, outChannels] = filter.shape;
    const info = convInfo(inputShape, filter.shape, attrs!, false);
    const dy = spreadOut(tensorOf(inputs.dy!) as tf.Tensor4D, info.strideHeight, info.strideWidth);
    const [n, height, width] = inputShape;
    const { top, bottom, left, right } = info.padInfo;
    const [, spreadHeight, spreadWidth] = dy.shape;
    const paddedHeight = Math.max(height + top + bottom, spreadHeight + fh - 1);
    const paddedWidth = Math.max(width + left + right, spreadWidth + fw - 1);
    const dy2 = tf.reshape(dy, [-1, outChannels]);
    let gradient: tf.Tensor4D | undefined;
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        // Transposed in its own op: matMul with transposeB is several times slower on wasm.
        const weightT = tf.transpose(tf.reshape(tf.slice(filter, [i, j, 0, 0], [1, 1, inChannels, outChannels]), [inChannels, outChannels]));
        const contribution = tf.reshape(tf.matMul(dy2, weightT), [n, spreadHeight, spreadWidth, inChannels]) as tf.Tensor4D;
        const placed = paddedHeight === spreadHeight && paddedWidth === spreadWidth ? contribution : (tf.pad(contribution, [[0, 0], [i, paddedHeight - spreadHeight - i], [j, paddedWidth - spreadWidth - j], [0, 0]]) as tf.Tensor4D);
        gradient = gradient ? (tf.add(gradient, placed) as tf.Tensor4D) : placed;
      }
    }
    return paddedHeight === height && paddedWidth === width ? gradient! : tf.slice(gradient!, [0, top, left, 0], [n, height, width, inChannels]);
  });
}

/** Whether conv2DBackpropInput above handles a call: undilated NHWC convolutions. */
function isUndilated({ inputs, attrs }: KernelArguments): boolean {
  const info = convInfo(attrs!.inputShape as number[], inputs.filter!.shape, attrs!, false);
  return info.dilationHeight === 1 && info.dilationWidth === 1;
}

const KERNELS: Record<string, (args: KernelArguments) => tf.TensorInfo> = {
  Conv2DBackpropFilter: composed(conv2DBackpropFilter),
  DepthwiseConv2dNativeBackpropFilter: composed(depthwiseBackpropFilter),
  DepthwiseConv2dNativeBackpropInput: composed(depthwiseBackpropInput),
};

let registered = false;

/**
 * Register the missing gradient kernels for the wasm backend and replace its Conv2DBackpropInput for
 * undilated convolutions, keeping its own for the rest (once per process).
 */
export function registerWasmGradients(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, kernelFunc] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, 'wasm')) continue;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  const own = tf.getKernel('Conv2DBackpropInput', 'wasm');
  const fast = composed(conv2DBackpropInput);
  if (own) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: ((args: KernelArguments) => (isUndilated(args) || !own ? fast(args) : own.kernelFunc(args as never))) as unknown as tf.KernelFunc,
    ...(own?.setupFunc ? { setupFunc: own.setupFunc } : {}),
  });
}
