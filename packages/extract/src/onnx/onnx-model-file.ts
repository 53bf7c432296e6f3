import { BackboneError, nearestChoice } from '@graft/core';
import { OnnxGraphBuilder, valueDims } from './protobuf-model.js';
import { ONNX_BATCH_DIM, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from './export-layers-model.js';
import { outputShape } from '../engines/onnxruntime-session.js';

/** Per-channel normalizations an ONNX image model may expect after the pixel range (RGB order). */
export const INPUT_NORMALIZATIONS = Object.freeze({
  none: undefined,
  /** torchvision's ImageNet models, on pixels in 0..1. */
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
});
export type InputNormalization = keyof typeof INPUT_NORMALIZATIONS;

export interface OnnxFeatureModel {
  /** ONNX model in Graft's engine convention: NHWC images [N, size, size, 3] in, features [N, D] out. */
  readonly onnx: Uint8Array;
  readonly inputSize: number;
  readonly featureDim: number;
}

/**
 * Make an ONNX image model a feature extractor: the named value `layer` (any node output) becomes
 * the output, globally average-pooled when 4-D; Graft's NHWC input is transposed when the model
 * takes NCHW, and a per-channel normalization the model expects is applied in the graph. The model's
 * own operators and operator sets are kept as they are. The feature's rank is read by running the
 * graph once on zeros.
 */
export async function onnxFeatureModel(bytes: Uint8Array, layer: string, normalization: InputNormalization, file: string): Promise<OnnxFeatureModel> {
  const open = () => {
    try {
      return OnnxGraphBuilder.extend(bytes);
    } catch (error) {
      throw new BackboneError(`${file} is not an ONNX image model Graft can use: ${(error as Error).message}`, { cause: error });
    }
  };
  const probe = open();
  const dims = valueDims(probe.input);
  const layout = dims.length === 4 && dims[1] === 3 ? 'nchw' : dims.length === 4 && dims[3] === 3 ? 'nhwc' : undefined;
  const [height, width] = layout === 'nchw' ? [dims[2], dims[3]] : [dims[1], dims[2]];
  if (!layout || typeof height !== 'number' || height !== width) {
    throw new BackboneError(`${file}: the input ${probe.input.name} has shape [${dims.join(', ')}]; Graft needs square RGB images, [N, 3, size, size] or [N, size, size, 3], of a fixed size`);
  }
  if (!layer) throw new BackboneError(`extract --model ${file} needs --layer <name of a value in the graph> (its output is '${probe.output}')`);
  if (!probe.values.has(layer)) {
    const near = nearestChoice(layer, [...probe.values]) ?? [...probe.values].find((name) => name.startsWith(layer));
    throw new BackboneError(`${file} has no value named '${layer}'${near ? ` — did you mean '${near}'?` : ''} (its output is '${probe.output}')`);
  }
  // The feature value as it is (to read its shape on one image of zeros), then pooled when 4-D.
  const wrap = (pool: 'raw' | 'flat' | 'nchw' | 'nhwc') => {
    const { builder, input } = open();
    // New names: the model may use Graft's usual `input` and `features` itself.
    const names = { input: builder.uniqueName(ONNX_INPUT_NAME), output: builder.uniqueName(ONNX_OUTPUT_NAME) };
    let x = names.input;
    const stats = INPUT_NORMALIZATIONS[normalization];
    if (stats) {
      x = builder.addNode('Sub', [x, builder.addFloatInitializer('input_mean', [3], Float32Array.from(stats.mean))], 'input_centred');
      x = builder.addNode('Div', [x, builder.addFloatInitializer('input_std', [3], Float32Array.from(stats.std))], 'input_normalized');
    }
    builder.addNodeWithOutput(layout === 'nchw' ? 'Transpose' : 'Identity', [x], input.name!, layout === 'nchw' ? { perm: [0, 3, 1, 2] } : {});
    let feature = layer;
    if (pool === 'nchw' || pool === 'nhwc') {
      // NHWC features are made NCHW so that GlobalAveragePool (every opset) pools them.
      const nchw = pool === 'nhwc' ? builder.addNode('Transpose', [feature], `${layer}_nchw`, { perm: [0, 3, 1, 2] }) : feature;
      feature = builder.addNode('GlobalAveragePool', [nchw], `${layer}_pooled`);
    }
    builder.addNodeWithOutput(pool === 'raw' ? 'Identity' : 'Flatten', [feature], names.output, pool === 'raw' ? {} : { axis: 1 });
    return { builder, names };
  };
  const encode = ({ builder, names }: ReturnType<typeof wrap>, featureDim: number | string) =>
    builder.encode({ graphName: 'graft_onnx_features', input: { name: names.input, dims: [ONNX_BATCH_DIM, height, height, 3] }, output: { name: names.output, dims: [ONNX_BATCH_DIM, featureDim] }, docString: `${file} up to ${layer}, wrapped by Graft` });
  let shape: readonly number[];
  try {
    shape = await outputShape(encode(wrap('raw'), 'D'), height);
  } catch (error) {
    throw new BackboneError(`${file}: onnxruntime cannot run it up to ${layer}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const pool = shape.length === 4 ? layout : 'flat';
  const featureDim = shape.length === 4 ? (layout === 'nchw' ? shape[1]! : shape[3]!) : shape.slice(1).reduce((a, b) => a * b, 1);
  return { onnx: encode(wrap(pool), featureDim), inputSize: height, featureDim };
}
