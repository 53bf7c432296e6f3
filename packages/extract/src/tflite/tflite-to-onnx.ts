import { BackboneError, nearestChoice } from '@graft/core';
import { OnnxGraphBuilder } from '../onnx/protobuf-model.js';
import { ONNX_BATCH_DIM, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../onnx/export-layers-model.js';
import type { TfliteModel, TfliteOperator, TfliteTensor } from './read-tflite.js';
import { builtinName } from './schema.js';
import { TFLITE_CONVERTERS, type ConversionContext, type OnnxValue } from './operator-converters.js';

/** What a TFLite model becomes: an ONNX feature model in Graft's engine convention. */
export interface ConvertedTflite {
  /** ONNX model: float32 NHWC images [N, size, size, 3] in, float32 features [N, featureDim] out. */
  readonly onnx: Uint8Array;
  readonly inputSize: number;
  readonly featureDim: number;
  /** Operators converted (those the feature tensor depends on). */
  readonly operators: number;
}

/**
 * Build the ONNX graph that computes tensor `featureTensor` (a name) of a TFLite model, in float32:
 * quantized weights dequantized, activations kept in float, the NHWC input transposed once to NCHW.
 * A 4-D feature tensor is globally average-pooled. Only the operators the feature depends on are
 * converted; an operator Graft does not know is an error naming it and `file`.
 */
export function tfliteToOnnx(model: TfliteModel, featureTensor: string, file: string): ConvertedTflite {
  if (model.inputs.length !== 1) throw new BackboneError(`${file} has ${model.inputs.length} inputs: Graft needs one image input`);
  const input = model.tensors[model.inputs[0]!]!;
  const [batch, height, width, channels] = input.shape;
  if (input.shape.length !== 4 || height !== width || channels !== 3 || (batch !== 1 && batch !== -1)) {
    throw new BackboneError(`${file}: the input ${input.name} has shape [${input.shape.join(', ')}]; Graft needs square RGB images [1, size, size, 3]`);
  }
  const target = model.tensors.find((tensor) => tensor.name === featureTensor);
  if (!target) {
    const names = model.tensors.map((t) => t.name);
    const near = nearestChoice(featureTensor, names) ?? names.find((name) => name.startsWith(featureTensor));
    throw new BackboneError(`${file} has no tensor named '${featureTensor}'${near ? ` — did you mean '${near}'?` : ''} (the model's output is '${model.tensors[model.outputs[0] ?? -1]?.name ?? '?'}')`);
  }
  const producer = new Map<number, TfliteOperator>();
  for (const operator of model.operators) for (const output of operator.outputs) producer.set(output, operator);
  const needed = operatorsFor(target.index, producer, model.inputs[0]!);
  for (const operator of needed) {
    if (!TFLITE_CONVERTERS[operator.builtin]) {
      throw new BackboneError(`${file}: operator ${operator.index} is ${operator.customCode ? `the custom operator ${operator.customCode}` : builtinName(operator.builtin)}, which Graft cannot convert yet (it converts ${Object.keys(TFLITE_CONVERTERS).map((code) => builtinName(Number(code))).join(', ')})`);
    }
  }

  const builder = new OnnxGraphBuilder();
  builder.reserveName(ONNX_INPUT_NAME);
  builder.reserveName(ONNX_OUTPUT_NAME);
  const values = new Map<number, OnnxValue>();
  values.set(input.index, { name: builder.addNode('Transpose', [ONNX_INPUT_NAME], 'input_nchw', { perm: [0, 3, 1, 2] }), layout: 'nchw', shape: input.shape });
  const context: ConversionContext = {
    builder,
    file,
    tensor: (index) => model.tensors[index]!,
    value(index) {
      const value = values.get(index);
      if (!value) throw new BackboneError(`${file}: tensor ${model.tensors[index]?.name ?? index} is used before it is computed`);
      return value;
    },
  };
  for (const operator of needed) {
    const outputs = TFLITE_CONVERTERS[operator.builtin]!(operator, context);
    operator.outputs.forEach((index, i) => values.set(index, { ...outputs[i]!, shape: model.tensors[index]!.shape }));
  }
  const feature = values.get(target.index) ?? context.value(target.index);
  const featureDim = featureSize(target, feature);
  let output: string;
  if (feature.layout === 'nchw') {
    const pooled = builder.addNode('GlobalAveragePool', [feature.name], 'feature_pool');
    output = builder.addNodeWithOutput('Flatten', [pooled], ONNX_OUTPUT_NAME, { axis: 1 });
  } else {
    output = builder.addNodeWithOutput('Flatten', [feature.name], ONNX_OUTPUT_NAME, { axis: 1 });
  }
  const onnx = builder.encode({
    graphName: 'graft_tflite_features',
    input: { name: ONNX_INPUT_NAME, dims: [ONNX_BATCH_DIM, height!, width!, 3] },
    output: { name: output, dims: [ONNX_BATCH_DIM, featureDim] },
    docString: `${file} up to ${featureTensor}, converted by Graft`,
  });
  return { onnx, inputSize: height!, featureDim, operators: needed.length };
}

/** The operators `tensor` depends on, in the model's (topological) order. */
function operatorsFor(tensor: number, producer: Map<number, TfliteOperator>, input: number): TfliteOperator[] {
  const needed = new Set<TfliteOperator>();
  const stack = [tensor];
  while (stack.length > 0) {
    const index = stack.pop()!;
    const operator = producer.get(index);
    if (!operator || index === input || needed.has(operator)) continue;
    needed.add(operator);
    stack.push(...operator.inputs.filter((i) => i >= 0));
  }
  return [...needed].sort((a, b) => a.index - b.index);
}

/** Length of the feature vector: channels of a 4-D tensor (pooled), else the product past the batch. */
function featureSize(tensor: TfliteTensor, value: OnnxValue): number {
  const shape = tensor.shape;
  if (value.layout === 'nchw') return shape[3]!;
  return shape.slice(1).reduce((a, b) => a * b, 1);
}
