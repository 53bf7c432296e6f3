import { OnnxGraphBuilder, type Preprocessing } from '@graft/extract';
import { HEAD_LAYER_NAMES } from '@graft/train';
import { tf } from '@graft/tf';

/** Names of the exported ONNX classifier's input (RGB pixels 0..255, NHWC) and output (class probabilities). */
export const ONNX_CLASSIFIER_INPUT = 'pixels';
export const ONNX_CLASSIFIER_OUTPUT = 'probabilities';

const ACTIVATION_OPS: Readonly<Record<string, string>> = { relu: 'Relu', elu: 'Elu', tanh: 'Tanh', sigmoid: 'Sigmoid' };

/**
 * One ONNX model from pixels to probabilities, as export's tfjs model but for a backbone that exists
 * only as ONNX: RGB 0..255 [n, size, size, 3] → × scale + offset (extract's preprocessing) → the
 * backbone's feature graph → the trained head's dense layers (weights read from train's tfjs head
 * model) → softmax.
 */
export function onnxClassifier(featureOnnx: Uint8Array, head: tf.LayersModel, preprocessing: Preprocessing, classes: number): Uint8Array {
  const { builder, input, output } = OnnxGraphBuilder.extend(featureOnnx);
  // `pixels` and `probabilities` unless the backbone's graph uses those names itself.
  const names = { input: builder.uniqueName(ONNX_CLASSIFIER_INPUT), output: builder.uniqueName(ONNX_CLASSIFIER_OUTPUT) };
  const scaled = builder.addNode('Mul', [names.input, builder.addFloatInitializer('pixel_scale', [], Float32Array.of(preprocessing.scale))], 'scaled_pixels');
  builder.addNodeWithOutput('Add', [scaled, builder.addFloatInitializer('pixel_offset', [], Float32Array.of(preprocessing.offset))], input.name!);
  let x = output;
  for (const name of [HEAD_LAYER_NAMES.hidden, HEAD_LAYER_NAMES.output]) {
    const layer = head.layers.find((l) => l.name === name);
    if (!layer) continue;
    const [kernel, bias] = layer.getWeights();
    const [inputs, units] = kernel!.shape as [number, number];
    x = builder.addNode('Gemm', [x, builder.addFloatInitializer(`${name}_kernel`, [inputs, units], kernel!.dataSync() as Float32Array), builder.addFloatInitializer(`${name}_bias`, [units], bias!.dataSync() as Float32Array)], name);
    const activation = (layer.getConfig() as { activation?: string }).activation;
    if (name === HEAD_LAYER_NAMES.hidden && activation && activation !== 'linear') x = builder.addNode(ACTIVATION_OPS[activation] ?? 'Relu', [x], `${name}_${activation}`);
  }
  builder.addNodeWithOutput('Softmax', [x], names.output, { axis: 1 });
  const size = preprocessing.size;
  return builder.encode({
    graphName: 'graft_classifier',
    input: { name: names.input, dims: ['N', size, size, 3] },
    output: { name: names.output, dims: ['N', classes] },
    docString: 'Graft classifier: RGB pixels 0..255 [N, size, size, 3] → class probabilities [N, classes]',
  });
}
