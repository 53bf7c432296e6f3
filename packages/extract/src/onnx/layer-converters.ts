import { batchNormAffine, foldAffineIntoConv, type ChannelAffine } from './fold-batch-norm.js';
import type { LayerCall, SymbolicTensor } from './layer-graph.js';
import { LayerWeights } from './layer-weights.js';
import { pair, tfPads2d } from './padding.js';
import type { OnnxGraphBuilder } from './protobuf-model.js';
import { depthwiseToOihw, hwioToOihw } from './weight-layout.js';

/**
 * Layout convention inside the exported graph: a 4-D Keras tensor (NHWC) is held as NCHW, which
 * is what ONNX Conv and pooling operators expect; a 2-D tensor [N, D] is held as is.
 */
export interface ConverterContext {
  builder: OnnxGraphBuilder;
  /** ONNX name of an already converted tfjs tensor. */
  onnxName(tensor: SymbolicTensor): string;
  /** Name of a shared float32 scalar constant. */
  scalar(value: number): string;
}

/**
 * Converts one layer call; returns the ONNX name of its output. `fold` is the per-channel affine map
 * of a BatchNormalization that follows (only passed to convolutions, see export-layers-model).
 */
export type LayerConverter = (call: LayerCall, context: ConverterContext, fold?: ChannelAffine) => string;

type Config = Record<string, unknown>;

export const LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  Conv2D: (call, context, fold) => convolution(call, context, fold, false),
  DepthwiseConv2D: (call, context, fold) => convolution(call, context, fold, true),
  BatchNormalization: batchNormalization,
  Dense: dense,
  Activation: (call, context) => activation(context, call.layer.name, context.onnxName(single(call)), configOf(call).activation, rankOf(single(call))),
  ReLU: relu,
  LeakyReLU: (call, context) => context.builder.addNode('LeakyRelu', [context.onnxName(single(call))], call.layer.name, { alpha: { float: numberOr(configOf(call).alpha, 0.3) } }),
  MaxPooling2D: (call, context) => pooling(call, context, 'MaxPool'),
  AveragePooling2D: (call, context) => pooling(call, context, 'AveragePool'),
  GlobalAveragePooling2D: (call, context) => globalPooling(call, context, 'GlobalAveragePool'),
  GlobalMaxPooling2D: (call, context) => globalPooling(call, context, 'GlobalMaxPool'),
  ZeroPadding2D: zeroPadding,
  Flatten: flatten,
  Concatenate: concatenate,
  Add: (call, context) => merge(call, context, 'Sum'),
  Average: (call, context) => merge(call, context, 'Mean'),
  Maximum: (call, context) => merge(call, context, 'Max'),
  Minimum: (call, context) => merge(call, context, 'Min'),
  Multiply: (call, context) => merge(call, context, 'Mul'),
  // Inference-time identities.
  Dropout: (call, context) => context.onnxName(single(call)),
};

/** Layer classes whose output may absorb a following BatchNormalization. */
export const BATCH_NORM_FOLD_TARGETS: ReadonlySet<string> = new Set(['Conv2D', 'DepthwiseConv2D']);

/** Activation names (Keras / tfjs serialisation) the exporter can write. */
export const SUPPORTED_ACTIVATIONS = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'swish'] as const;

export function configOf(call: LayerCall): Config {
  return call.layer.getConfig() as Config;
}

/** The per-channel affine map of a BatchNormalization call (checks it normalises the channel axis). */
export function batchNormAffineOf(call: LayerCall): ChannelAffine {
  const config = configOf(call);
  const rank = rankOf(single(call));
  const axis = typeof config.axis === 'number' ? config.axis : Array.isArray(config.axis) && config.axis.length === 1 ? (config.axis[0] as number) : NaN;
  if (!(axis === -1 || axis === rank - 1)) throw new Error(`batch normalization over axis ${JSON.stringify(config.axis)} of a rank-${rank} tensor: only the channel (last) axis is supported`);
  const weights = new LayerWeights(call.layer);
  const gamma = config.scale === false ? undefined : weights.require('gamma').values;
  const beta = config.center === false ? undefined : weights.require('beta').values;
  return batchNormAffine({
    ...(gamma ? { gamma } : {}),
    ...(beta ? { beta } : {}),
    movingMean: weights.require('moving_mean').values,
    movingVariance: weights.require('moving_variance').values,
    epsilon: numberOr(config.epsilon, 1e-3),
  });
}

/** Activation applied after a layer's main operation; `linear` adds nothing. */
export function isLinearActivation(value: unknown): boolean {
  return value === undefined || value === null || value === 'linear';
}

function convolution(call: LayerCall, context: ConverterContext, fold: ChannelAffine | undefined, depthwise: boolean): string {
  const config = configOf(call);
  requireChannelsLast(config);
  const input = single(call);
  requireRank(input, 4);
  const kernelSize = pair(config.kernelSize, 'kernelSize');
  const strides = pair(config.strides ?? 1, 'strides');
  const dilations = pair(config.dilationRate ?? 1, 'dilationRate');
  if ((strides[0] > 1 || strides[1] > 1) && (dilations[0] > 1 || dilations[1] > 1)) throw new Error('strides > 1 together with dilation > 1 are not supported');
  const pads = tfPads2d(String(config.padding), [input.shape[1]!, input.shape[2]!], kernelSize, strides, dilations);
  const weights = new LayerWeights(call.layer);
  const raw = weights.require(depthwise ? 'depthwise_kernel' : 'kernel');
  const [kh, kw, ci, co] = raw.shape as [number, number, number, number];
  if (kh !== kernelSize[0] || kw !== kernelSize[1]) throw new Error(`kernel shape [${raw.shape.join(', ')}] does not match kernelSize [${kernelSize.join(', ')}]`);
  if (input.shape[3] !== ci) throw new Error(`input has ${input.shape[3]} channels, kernel expects ${ci}`);
  const outChannels = depthwise ? ci * co : co;
  let kernel = depthwise ? depthwiseToOihw(raw.values, raw.shape) : hwioToOihw(raw.values, raw.shape);
  let bias = config.useBias === false ? undefined : weights.get('bias')?.values;
  if (fold) {
    if (!isLinearActivation(config.activation)) throw new Error('cannot fold batch normalization after a non-linear activation');
    ({ kernel, bias } = foldAffineIntoConv(kernel, bias, fold));
  }
  const name = call.layer.name;
  const { builder } = context;
  const inputs = [context.onnxName(input), builder.addFloatInitializer(`${name}/kernel`, [outChannels, depthwise ? 1 : ci, kh, kw], kernel)];
  if (bias) inputs.push(builder.addFloatInitializer(`${name}/bias`, [outChannels], bias));
  const linearName = isLinearActivation(config.activation) ? name : `${name}/linear`;
  const output = builder.addNode('Conv', inputs, linearName, {
    kernel_shape: kernelSize,
    strides,
    dilations,
    pads,
    group: depthwise ? ci : 1,
  });
  return activation(context, name, output, config.activation, 4);
}

function batchNormalization(call: LayerCall, context: ConverterContext): string {
  const affine = batchNormAffineOf(call);
  const input = single(call);
  const rank = rankOf(input);
  if (rank !== 4 && rank !== 2) throw new Error(`batch normalization of a rank-${rank} tensor is not supported`);
  const dims = rank === 4 ? [affine.scale.length, 1, 1] : [affine.scale.length];
  const name = call.layer.name;
  const { builder } = context;
  const scaled = builder.addNode('Mul', [context.onnxName(input), builder.addFloatInitializer(`${name}/scale`, dims, Float32Array.from(affine.scale))], `${name}/scaled`);
  return builder.addNode('Add', [scaled, builder.addFloatInitializer(`${name}/shift`, dims, Float32Array.from(affine.shift))], name);
}

function dense(call: LayerCall, context: ConverterContext): string {
  const config = configOf(call);
  const input = single(call);
  if (rankOf(input) !== 2) throw new Error(`Dense on a rank-${rankOf(input)} tensor is not supported (only [batch, features])`);
  const weights = new LayerWeights(call.layer);
  const kernel = weights.require('kernel');
  const name = call.layer.name;
  const { builder } = context;
  const inputs = [context.onnxName(input), builder.addFloatInitializer(`${name}/kernel`, kernel.shape, kernel.values)];
  const bias = config.useBias === false ? undefined : weights.get('bias');
  if (bias) inputs.push(builder.addFloatInitializer(`${name}/bias`, bias.shape, bias.values));
  const output = builder.addNode('Gemm', inputs, isLinearActivation(config.activation) ? name : `${name}/linear`);
  return activation(context, name, output, config.activation, 2);
}

function relu(call: LayerCall, context: ConverterContext): string {
  const config = configOf(call);
  const input = context.onnxName(single(call));
  const name = call.layer.name;
  if (config.maxValue === undefined || config.maxValue === null) return context.builder.addNode('Relu', [input], name);
  return context.builder.addNode('Clip', [input, context.scalar(0), context.scalar(Number(config.maxValue))], name);
}

function pooling(call: LayerCall, context: ConverterContext, op: 'MaxPool' | 'AveragePool'): string {
  const config = configOf(call);
  requireChannelsLast(config);
  const input = single(call);
  requireRank(input, 4);
  const poolSize = pair(config.poolSize, 'poolSize');
  const strides = config.strides === undefined || config.strides === null ? poolSize : pair(config.strides, 'strides');
  const pads = tfPads2d(String(config.padding), [input.shape[1]!, input.shape[2]!], poolSize, strides);
  // TF's average over a 'same' window divides by the number of real (unpadded) inputs: count_include_pad=0.
  return context.builder.addNode(op, [context.onnxName(input)], call.layer.name, {
    kernel_shape: poolSize,
    strides,
    pads,
    ...(op === 'AveragePool' ? { count_include_pad: 0 } : {}),
  });
}

function globalPooling(call: LayerCall, context: ConverterContext, op: 'GlobalAveragePool' | 'GlobalMaxPool'): string {
  requireChannelsLast(configOf(call));
  const input = single(call);
  requireRank(input, 4);
  const name = call.layer.name;
  const pooled = context.builder.addNode(op, [context.onnxName(input)], `${name}/pool`);
  return context.builder.addNode('Flatten', [pooled], name, { axis: 1 });
}

function zeroPadding(call: LayerCall, context: ConverterContext): string {
  const config = configOf(call);
  requireChannelsLast(config);
  const input = single(call);
  requireRank(input, 4);
  const padding = config.padding;
  const valid = Array.isArray(padding) && padding.length === 2 && padding.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0));
  if (!valid) throw new Error(`unexpected ZeroPadding2D padding ${JSON.stringify(padding)}`);
  const [[top, bottom], [left, right]] = padding as [[number, number], [number, number]];
  const name = call.layer.name;
  const pads = context.builder.addInt64Initializer(`${name}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
  return context.builder.addNode('Pad', [context.onnxName(input), pads], name, { mode: 'constant' });
}

function flatten(call: LayerCall, context: ConverterContext): string {
  const config = configOf(call);
  requireChannelsLast(config);
  const input = single(call);
  const rank = rankOf(input);
  const name = call.layer.name;
  if (rank === 2) return context.onnxName(input);
  requireRank(input, 4);
  let source = context.onnxName(input);
  // Keras flattens NHWC order; the graph holds NCHW, so go back unless the spatial size is 1×1.
  if (!(input.shape[1] === 1 && input.shape[2] === 1)) source = context.builder.addNode('Transpose', [source], `${name}/nhwc`, { perm: [0, 2, 3, 1] });
  return context.builder.addNode('Flatten', [source], name, { axis: 1 });
}

function concatenate(call: LayerCall, context: ConverterContext): string {
  const config = configOf(call);
  const rank = sameRank(call);
  const axis = numberOr(config.axis, -1);
  const kerasAxis = axis < 0 ? axis + rank : axis;
  if (kerasAxis < 0 || kerasAxis >= rank) throw new Error(`concatenation axis ${axis} is out of range for rank ${rank}`);
  const onnxAxis = rank === 4 ? [0, 2, 3, 1][kerasAxis]! : kerasAxis;
  return context.builder.addNode('Concat', call.inputs.map((input) => context.onnxName(input)), call.layer.name, { axis: onnxAxis });
}

function merge(call: LayerCall, context: ConverterContext, op: 'Sum' | 'Mean' | 'Max' | 'Min' | 'Mul'): string {
  sameRank(call);
  const shapes = call.inputs.map((input) => JSON.stringify(input.shape));
  if (shapes.some((shape) => shape !== shapes[0])) throw new Error(`merging tensors of different shapes (${shapes.join(' vs ')}) is not supported`);
  const names = call.inputs.map((input) => context.onnxName(input));
  const name = call.layer.name;
  if (names.length === 1) return names[0]!;
  if (op !== 'Mul') return context.builder.addNode(names.length === 2 && op === 'Sum' ? 'Add' : op, names, name);
  let product = names[0]!;
  for (let index = 1; index < names.length; index++) product = context.builder.addNode('Mul', [product, names[index]!], index === names.length - 1 ? name : `${name}/partial`);
  return product;
}

/** Append the nodes of a Keras activation to `input`; returns the output name. */
export function activation(context: ConverterContext, name: string, input: string, kind: unknown, rank: number): string {
  const { builder } = context;
  if (isLinearActivation(kind)) return input;
  switch (kind) {
    case 'relu':
      return builder.addNode('Relu', [input], name);
    case 'relu6':
      return builder.addNode('Clip', [input, context.scalar(0), context.scalar(6)], name);
    case 'sigmoid':
      return builder.addNode('Sigmoid', [input], name);
    case 'tanh':
      return builder.addNode('Tanh', [input], name);
    case 'softmax':
      // Keras normalises the last (channel) axis; in NCHW that is axis 1.
      return builder.addNode('Softmax', [input], name, { axis: rank === 4 ? 1 : rank - 1 });
    case 'elu':
      return builder.addNode('Elu', [input], name, { alpha: { float: 1 } });
    case 'selu':
      return builder.addNode('Selu', [input], name);
    case 'softplus':
      return builder.addNode('Softplus', [input], name);
    case 'softsign':
      return builder.addNode('Softsign', [input], name);
    case 'swish':
      return builder.addNode('Mul', [input, builder.addNode('Sigmoid', [input], `${name}/sigmoid`)], name);
    default:
      throw new Error(`activation ${JSON.stringify(kind)} is not supported (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`);
  }
}

function single(call: LayerCall): SymbolicTensor {
  if (call.inputs.length !== 1) throw new Error(`expected one input, got ${call.inputs.length}`);
  return call.inputs[0]!;
}

function rankOf(tensor: SymbolicTensor): number {
  return tensor.shape.length;
}

function requireRank(tensor: SymbolicTensor, rank: number): void {
  if (rankOf(tensor) !== rank) throw new Error(`expected a rank-${rank} input, got shape [${tensor.shape.join(', ')}]`);
}

function sameRank(call: LayerCall): number {
  const ranks = new Set(call.inputs.map(rankOf));
  if (call.inputs.length === 0 || ranks.size !== 1) throw new Error('inputs of different ranks are not supported');
  const rank = rankOf(call.inputs[0]!);
  if (rank !== 2 && rank !== 4) throw new Error(`rank-${rank} tensors are not supported`);
  return rank;
}

function requireChannelsLast(config: Config): void {
  if (config.dataFormat !== undefined && config.dataFormat !== null && config.dataFormat !== 'channelsLast') {
    throw new Error(`dataFormat ${String(config.dataFormat)} is not supported (only channelsLast)`);
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
