import { BackboneError } from '@graft/core';
import type { OnnxGraphBuilder } from '../onnx/protobuf-model.js';
import { tfPads2d } from '../onnx/padding.js';
import { constantInts, constantValues, type TfliteOperator, type TfliteTensor } from './read-tflite.js';
import { ACTIVATION, BUILTIN, FIELDS, PADDING, builtinName } from './schema.js';

/**
 * A TFLite tensor as it exists in the ONNX graph. 4-D image tensors are kept NCHW (`nchw`: ONNX's
 * layout for convolutions) while `shape` stays TFLite's NHWC shape; anything else is `plain`
 * (same layout as in TFLite). The batch dimension is dynamic in ONNX, 1 in TFLite.
 */
export interface OnnxValue {
  readonly name: string;
  readonly layout: 'nchw' | 'plain';
  readonly shape: readonly number[];
}

export interface ConversionContext {
  readonly builder: OnnxGraphBuilder;
  readonly file: string;
  tensor(index: number): TfliteTensor;
  /** The ONNX value of a tensor computed by an earlier operator (or the graph input). */
  value(index: number): OnnxValue;
}

type Converter = (operator: TfliteOperator, context: ConversionContext) => Omit<OnnxValue, 'shape'>[];

/** NHWC axis → NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1] as const;

function isConstant(context: ConversionContext, index: number): boolean {
  return context.tensor(index).data !== undefined;
}

/** A constant's float values (quantized ones dequantized). */
function constant(context: ConversionContext, index: number): Float32Array {
  return constantValues(context.tensor(index));
}

/** A scalar float initializer. */
function scalar(builder: OnnxGraphBuilder, name: string, value: number): string {
  return builder.addFloatInitializer(name, [], Float32Array.of(value));
}

/** NHWC values [a, b, c, d] reordered to NCHW [a, d, b, c]. */
function nhwcToNchw(values: Float32Array, shape: readonly number[]): Float32Array {
  const [n, h, w, c] = shape as [number, number, number, number];
  const out = new Float32Array(values.length);
  for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[((i * c + k) * h + y) * w + x] = values[((i * h + y) * w + x) * c + k]!;
  return out;
}

/** The NHWC form of a value (a Transpose back when it is held NCHW). */
function nhwc(context: ConversionContext, value: OnnxValue): string {
  return value.layout === 'nchw' ? context.builder.addNode('Transpose', [value.name], `${value.name}_nhwc`, { perm: [0, 2, 3, 1] }) : value.name;
}

/**
 * An operand of an elementwise operator: a computed value, or a constant laid out to broadcast
 * against `like` (a per-channel vector against an NCHW tensor becomes [1, C, 1, 1]).
 */
function operand(context: ConversionContext, index: number, like: OnnxValue | undefined): OnnxValue {
  if (!isConstant(context, index)) return context.value(index);
  const tensor = context.tensor(index);
  const values = constant(context, index);
  const { builder } = context;
  if (like?.layout === 'nchw') {
    if (tensor.shape.length === 4) return { name: builder.addFloatInitializer(tensor.name, [tensor.shape[0]!, tensor.shape[3]!, tensor.shape[1]!, tensor.shape[2]!], nhwcToNchw(values, tensor.shape)), layout: 'nchw', shape: tensor.shape };
    if (values.length === 1) return { name: builder.addFloatInitializer(tensor.name, [], values), layout: 'plain', shape: [] };
    return { name: builder.addFloatInitializer(tensor.name, [1, values.length, 1, 1], values), layout: 'nchw', shape: tensor.shape };
  }
  return { name: builder.addFloatInitializer(tensor.name, tensor.shape, values), layout: 'plain', shape: tensor.shape };
}

/** Apply a fused activation to `name`. */
function activate(builder: OnnxGraphBuilder, name: string, activation: number, file: string): string {
  switch (activation) {
    case ACTIVATION.NONE: return name;
    case ACTIVATION.RELU: return builder.addNode('Relu', [name], `${name}_relu`);
    case ACTIVATION.RELU6: return builder.addNode('Clip', [name, scalar(builder, 'zero', 0), scalar(builder, 'six', 6)], `${name}_relu6`);
    case ACTIVATION.RELU_N1_TO_1: return builder.addNode('Clip', [name, scalar(builder, 'minus_one', -1), scalar(builder, 'one', 1)], `${name}_relu1`);
    case ACTIVATION.TANH: return builder.addNode('Tanh', [name], `${name}_tanh`);
    default: throw new BackboneError(`${file}: fused activation ${activation} is not supported`);
  }
}

function options(operator: TfliteOperator, file: string) {
  if (!operator.options) throw new BackboneError(`${file}: operator ${operator.index} (${builtinName(operator.builtin)}) has no options`);
  return operator.options;
}

/** The computed NCHW input of an image operator. */
function imageInput(operator: TfliteOperator, context: ConversionContext): OnnxValue {
  const value = context.value(operator.inputs[0]!);
  if (value.layout !== 'nchw') throw new BackboneError(`${context.file}: operator ${operator.index} (${builtinName(operator.builtin)}) needs an image tensor [1, H, W, C], got [${value.shape.join(', ')}]`);
  return value;
}

function convolution(operator: TfliteOperator, context: ConversionContext, depthwise: boolean): Omit<OnnxValue, 'shape'>[] {
  const { builder, file } = context;
  const input = imageInput(operator, context);
  const o = options(operator, file);
  const fields = depthwise ? FIELDS.depthwiseConv2d : FIELDS.conv2d;
  const weights = context.tensor(operator.inputs[1]!);
  if (!weights.data) throw new BackboneError(`${file}: operator ${operator.index} computes its weights at run time; Graft needs constant weights`);
  const [outer, kh, kw, inner] = weights.shape as [number, number, number, number];
  const values = constant(context, weights.index);
  // TFLite: conv [O, KH, KW, I], depthwise [1, KH, KW, C·M]; ONNX: [O, I/group, KH, KW].
  const outChannels = depthwise ? inner : outer;
  const perGroup = depthwise ? 1 : inner;
  const kernel = new Float32Array(values.length);
  for (let out = 0; out < outChannels; out++) {
    for (let i = 0; i < perGroup; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          kernel[((out * perGroup + i) * kh + y) * kw + x] = depthwise ? values[(y * kw + x) * inner + out]! : values[((out * kh + y) * kw + x) * inner + i]!;
        }
      }
    }
  }
  const strides = [o.int(fields.strideH), o.int(fields.strideW)];
  const dilations = [o.int(fields.dilationH, 1), o.int(fields.dilationW, 1)];
  const pads = tfPads2d(o.byte(fields.padding) === PADDING.SAME ? 'same' : 'valid', [input.shape[1]!, input.shape[2]!], [kh, kw], strides, dilations);
  const inputs = [input.name, builder.addFloatInitializer(weights.name, [outChannels, perGroup, kh, kw], kernel)];
  const bias = operator.inputs[2];
  if (bias !== undefined && bias >= 0) inputs.push(builder.addFloatInitializer(context.tensor(bias).name, [outChannels], constant(context, bias)));
  const group = depthwise ? input.shape[3]! : 1;
  const output = builder.addNode('Conv', inputs, context.tensor(operator.outputs[0]!).name, { kernel_shape: [kh, kw], strides, dilations, pads, group });
  return [{ name: activate(builder, output, o.byte(fields.activation), file), layout: 'nchw' }];
}

function pool(operator: TfliteOperator, context: ConversionContext, opType: 'AveragePool' | 'MaxPool'): Omit<OnnxValue, 'shape'>[] {
  const { builder, file } = context;
  const input = imageInput(operator, context);
  const o = options(operator, file);
  const F = FIELDS.pool2d;
  const kernel = [o.int(F.filterHeight), o.int(F.filterWidth)];
  const strides = [o.int(F.strideH), o.int(F.strideW)];
  const pads = tfPads2d(o.byte(F.padding) === PADDING.SAME ? 'same' : 'valid', [input.shape[1]!, input.shape[2]!], kernel, strides);
  // TFLite averages over the valid (unpadded) elements only: ONNX's count_include_pad = 0 (its default).
  const output = builder.addNode(opType, [input.name], context.tensor(operator.outputs[0]!).name, { kernel_shape: kernel, strides, pads });
  return [{ name: activate(builder, output, o.byte(F.activation), file), layout: 'nchw' }];
}

function elementwise(operator: TfliteOperator, context: ConversionContext, opType: 'Add' | 'Mul'): Omit<OnnxValue, 'shape'>[] {
  const [a, b] = operator.inputs as [number, number];
  const computed = [a, b].find((index) => !isConstant(context, index));
  const like = computed === undefined ? undefined : context.value(computed);
  const [left, right] = [operand(context, a, like), operand(context, b, like)];
  const output = context.builder.addNode(opType, [left.name, right.name], context.tensor(operator.outputs[0]!).name);
  const activation = operator.options ? operator.options.byte(opType === 'Add' ? FIELDS.add.activation : FIELDS.mul.activation) : ACTIVATION.NONE;
  return [{ name: activate(context.builder, output, activation, context.file), layout: left.layout === 'nchw' || right.layout === 'nchw' ? 'nchw' : 'plain' }];
}

function unary(opType: string, attributes: Record<string, number | { float: number }> = {}): Converter {
  return (operator, context) => {
    const input = context.value(operator.inputs[0]!);
    return [{ name: context.builder.addNode(opType, [input.name], context.tensor(operator.outputs[0]!).name, attributes), layout: input.layout }];
  };
}

function clip(min: number, max: number): Converter {
  return (operator, context) => {
    const { builder } = context;
    const input = context.value(operator.inputs[0]!);
    return [{ name: builder.addNode('Clip', [input.name, scalar(builder, 'clip_min', min), scalar(builder, 'clip_max', max)], context.tensor(operator.outputs[0]!).name), layout: input.layout }];
  };
}

/** Output of a shape-changing operator computed in NHWC: back to NCHW when it is 4-D. */
function fromNhwc(context: ConversionContext, name: string, rank: number): Omit<OnnxValue, 'shape'> {
  return rank === 4 ? { name: context.builder.addNode('Transpose', [name], `${name}_nchw`, { perm: [0, 3, 1, 2] }), layout: 'nchw' } : { name, layout: 'plain' };
}

/** TFLite converters by BuiltinOperator value. */
export const TFLITE_CONVERTERS: Readonly<Record<number, Converter>> = Object.freeze({
  [BUILTIN.CONV_2D]: (operator, context) => convolution(operator, context, false),
  [BUILTIN.DEPTHWISE_CONV_2D]: (operator, context) => convolution(operator, context, true),
  [BUILTIN.AVERAGE_POOL_2D]: (operator, context) => pool(operator, context, 'AveragePool'),
  [BUILTIN.MAX_POOL_2D]: (operator, context) => pool(operator, context, 'MaxPool'),
  [BUILTIN.ADD]: (operator, context) => elementwise(operator, context, 'Add'),
  [BUILTIN.MUL]: (operator, context) => elementwise(operator, context, 'Mul'),
  [BUILTIN.RELU]: unary('Relu'),
  [BUILTIN.RELU6]: clip(0, 6),
  [BUILTIN.RELU_N1_TO_1]: clip(-1, 1),
  [BUILTIN.LOGISTIC]: unary('Sigmoid'),
  [BUILTIN.TANH]: unary('Tanh'),
  [BUILTIN.HARD_SWISH]: (operator, context) => {
    // x · relu6(x + 3) / 6 = x · HardSigmoid(x; 1/6, 1/2) (HardSwish itself needs opset 14).
    const input = context.value(operator.inputs[0]!);
    const gate = context.builder.addNode('HardSigmoid', [input.name], `${input.name}_gate`, { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
    return [{ name: context.builder.addNode('Mul', [input.name, gate], context.tensor(operator.outputs[0]!).name), layout: input.layout }];
  },
  // Activations stay float: (de)quantizing a computed tensor is the identity here; quantized
  // constants are dequantized where they are read.
  [BUILTIN.QUANTIZE]: (operator, context) => [context.value(operator.inputs[0]!)],
  [BUILTIN.DEQUANTIZE]: (operator, context) => {
    if (!isConstant(context, operator.inputs[0]!)) return [context.value(operator.inputs[0]!)];
    return [operand(context, operator.inputs[0]!, undefined)];
  },
  [BUILTIN.SOFTMAX]: (operator, context) => {
    const { builder } = context;
    const input = context.value(operator.inputs[0]!);
    const beta = operator.options?.float(FIELDS.softmax.beta, 1) ?? 1;
    const scaled = beta === 1 ? input.name : builder.addNode('Mul', [input.name, scalar(builder, 'beta', beta)], `${input.name}_beta`);
    return [{ name: builder.addNode('Softmax', [scaled], context.tensor(operator.outputs[0]!).name, { axis: input.layout === 'nchw' ? 1 : -1 }), layout: input.layout }];
  },
  [BUILTIN.FULLY_CONNECTED]: (operator, context) => {
    const { builder, file } = context;
    const input = context.value(operator.inputs[0]!);
    const weights = context.tensor(operator.inputs[1]!);
    if (!weights.data) throw new BackboneError(`${file}: operator ${operator.index} (FULLY_CONNECTED) computes its weights at run time`);
    const [units, depth] = weights.shape as [number, number];
    const flat = builder.addNode('Reshape', [nhwc(context, input), builder.addInt64Initializer('fc_shape', [-1, depth])], `${input.name}_flat`);
    const inputs = [flat, builder.addFloatInitializer(weights.name, [units, depth], constant(context, weights.index))];
    const bias = operator.inputs[2];
    if (bias !== undefined && bias >= 0) inputs.push(builder.addFloatInitializer(context.tensor(bias).name, [units], constant(context, bias)));
    const output = builder.addNode('Gemm', inputs, context.tensor(operator.outputs[0]!).name, { transB: 1 });
    return [{ name: activate(builder, output, operator.options?.byte(FIELDS.fullyConnected.activation) ?? ACTIVATION.NONE, file), layout: 'plain' }];
  },
  [BUILTIN.RESHAPE]: (operator, context) => {
    const { builder } = context;
    const input = context.value(operator.inputs[0]!);
    const target = operator.inputs[1] !== undefined && operator.inputs[1] >= 0 && isConstant(context, operator.inputs[1])
      ? constantInts(context.tensor(operator.inputs[1]))
      : (operator.options?.ints(FIELDS.reshape.newShape) ?? context.tensor(operator.outputs[0]!).shape);
    // The batch (TFLite's 1) is ONNX's dynamic N: 0 copies it from the input.
    const shape = target.map((size, axis) => (axis === 0 && size === 1 ? 0 : size));
    const output = builder.addNode('Reshape', [nhwc(context, input), builder.addInt64Initializer('reshape_shape', shape)], context.tensor(operator.outputs[0]!).name);
    return [fromNhwc(context, output, target.length)];
  },
  [BUILTIN.SQUEEZE]: (operator, context) => {
    const { builder, file } = context;
    const input = context.value(operator.inputs[0]!);
    const shape = context.tensor(operator.inputs[0]!).shape;
    const given = operator.options?.ints(FIELDS.squeeze.squeezeDims) ?? [];
    const axes = (given.length ? given.map((axis) => (axis + shape.length) % shape.length) : shape.flatMap((size, axis) => (size === 1 && axis > 0 ? [axis] : [])));
    if (axes.includes(0)) throw new BackboneError(`${file}: operator ${operator.index} (SQUEEZE) removes the batch dimension`);
    const output = builder.addNode('Squeeze', [nhwc(context, input), builder.addInt64Initializer('squeeze_axes', axes)], context.tensor(operator.outputs[0]!).name);
    return [fromNhwc(context, output, shape.length - axes.length)];
  },
  [BUILTIN.MEAN]: (operator, context) => {
    const { builder } = context;
    const input = context.value(operator.inputs[0]!);
    const rank = context.tensor(operator.inputs[0]!).shape.length;
    const axes = constantInts(context.tensor(operator.inputs[1]!)).map((axis) => (axis + rank) % rank);
    const keep = operator.options?.bool(FIELDS.reducer.keepDims) ?? false;
    const name = context.tensor(operator.outputs[0]!).name;
    if (input.layout === 'nchw' && keep) {
      return [{ name: builder.addNode('ReduceMean', [input.name], name, { axes: axes.map((axis) => NCHW_AXIS[axis]!), keepdims: 1 }), layout: 'nchw' }];
    }
    return [{ name: builder.addNode('ReduceMean', [nhwc(context, input)], name, { axes, keepdims: keep ? 1 : 0 }), layout: 'plain' }];
  },
  [BUILTIN.PAD]: (operator, context) => {
    const { builder } = context;
    const input = context.value(operator.inputs[0]!);
    const paddings = constantInts(context.tensor(operator.inputs[1]!));
    const rank = paddings.length / 2;
    const order = input.layout === 'nchw' ? [0, 3, 1, 2] : Array.from({ length: rank }, (_, i) => i);
    const pads = [...order.map((axis) => paddings[axis * 2]!), ...order.map((axis) => paddings[axis * 2 + 1]!)];
    return [{ name: builder.addNode('Pad', [input.name, builder.addInt64Initializer('pads', pads)], context.tensor(operator.outputs[0]!).name, { mode: 'constant' }), layout: input.layout }];
  },
  [BUILTIN.CONCATENATION]: (operator, context) => {
    const { builder, file } = context;
    const computed = operator.inputs.find((index) => !isConstant(context, index));
    const like = computed === undefined ? undefined : context.value(computed);
    const parts = operator.inputs.map((index) => operand(context, index, like));
    const o = options(operator, file);
    const rank = context.tensor(operator.outputs[0]!).shape.length;
    const axis = (o.int(FIELDS.concatenation.axis) + rank) % rank;
    const layout = like?.layout ?? 'plain';
    const output = builder.addNode('Concat', parts.map((part) => part.name), context.tensor(operator.outputs[0]!).name, { axis: layout === 'nchw' ? NCHW_AXIS[axis]! : axis });
    return [{ name: activate(builder, output, o.byte(FIELDS.concatenation.activation), file), layout }];
  },
});
