import type { tf } from '@graft/tf';
import { OnnxExportError } from './export-error.js';
import type { ChannelAffine } from './fold-batch-norm.js';
import { BATCH_NORM_FOLD_TARGETS, LAYER_CONVERTERS, batchNormAffineOf, configOf, isLinearActivation, type ConverterContext } from './layer-converters.js';
import { layerGraph, type LayerCall, type SymbolicTensor } from './layer-graph.js';
import { OnnxGraphBuilder } from './protobuf-model.js';

/** Name of the graph input: float32 NHWC images [N, H, W, C], N dynamic. */
export const ONNX_INPUT_NAME = 'input';
/** Name of the graph output: float32 features [N, D]. */
export const ONNX_OUTPUT_NAME = 'features';
/** Symbolic name of the batch dimension. */
export const ONNX_BATCH_DIM = 'N';

/** Layer classes the exporter can write (anything else throws OnnxExportError). */
export const SUPPORTED_LAYER_CLASSES: readonly string[] = ['InputLayer', ...Object.keys(LAYER_CONVERTERS)].sort();

/**
 * Write a (frozen, inference-only) tfjs LayersModel with one NHWC image input and one 2-D output as
 * an ONNX model, e.g. the feature model from `buildFeatureModel`. The graph transposes its NHWC
 * input to NCHW once; each BatchNormalization whose input is produced only for it by a Conv2D /
 * DepthwiseConv2D is folded into that convolution, any other becomes a per-channel Mul + Add.
 * Deterministic: the same model gives the same bytes. Throws OnnxExportError (naming the layer) on
 * anything it cannot express exactly.
 */
export function exportLayersModelToOnnx(featureModel: tf.LayersModel): Uint8Array {
  if (featureModel.inputs.length !== 1) throw new OnnxExportError(`the model has ${featureModel.inputs.length} inputs: ONNX export needs exactly one`);
  const modelInput = featureModel.inputs[0]!;
  const inputShape = modelInput.shape;
  if (inputShape.length !== 4) throw new OnnxExportError(`the model input has shape [${inputShape.join(', ')}]: ONNX export needs NHWC images [batch, height, width, channels]`);
  if (modelInput.dtype !== 'float32') throw new OnnxExportError(`the model input is ${modelInput.dtype}: ONNX export needs float32`);

  let graph: ReturnType<typeof layerGraph>;
  try {
    graph = layerGraph(featureModel);
  } catch (error) {
    throw new OnnxExportError(`cannot export model ${featureModel.name} to ONNX: ${(error as Error).message}`, undefined, undefined, { cause: error });
  }
  const output = featureModel.outputs[0]!;
  if (output.shape.length !== 2) throw new OnnxExportError(`the model output has shape [${output.shape.join(', ')}]: ONNX export needs [batch, features]`);
  const featureDim = output.shape[1];
  if (typeof featureDim !== 'number') throw new OnnxExportError('the model output has no static feature dimension');

  checkSupported(graph.calls);
  const folds = planBatchNormFolds(graph.calls, graph.readers);

  const builder = new OnnxGraphBuilder();
  builder.reserveName(ONNX_INPUT_NAME);
  builder.reserveName(ONNX_OUTPUT_NAME);
  const names = new Map<SymbolicTensor, string>();
  const scalars = new Map<number, string>();
  const context: ConverterContext = {
    builder,
    onnxName(tensor) {
      const name = names.get(tensor);
      if (name === undefined) throw new Error(`tensor ${tensor.name} is used before it is computed`);
      return name;
    },
    scalar(value) {
      let name = scalars.get(value);
      if (name === undefined) {
        name = builder.addFloatInitializer(`const_${value}`, [], Float32Array.of(value));
        scalars.set(value, name);
      }
      return name;
    },
  };

  for (const call of graph.calls) {
    if (call.outputs.length !== 1) throw new OnnxExportError(`cannot export layer ${call.layer.name} (${call.className}) to ONNX: it has ${call.outputs.length} outputs`, call.layer.name, call.className);
    const tensor = call.outputs[0]!;
    if (call.className === 'InputLayer') {
      if (tensor !== modelInput) throw new OnnxExportError(`input layer ${call.layer.name} is not the model's input`, call.layer.name, call.className);
      names.set(tensor, builder.addNode('Transpose', [ONNX_INPUT_NAME], `${call.layer.name}/nchw`, { perm: [0, 3, 1, 2] }));
      continue;
    }
    const folded = folds.skipped.get(call);
    if (folded) {
      // A batch norm already folded into the convolution that feeds it.
      names.set(tensor, context.onnxName(folded));
      continue;
    }
    try {
      names.set(tensor, LAYER_CONVERTERS[call.className]!(call, context, folds.into.get(call)));
    } catch (error) {
      if (error instanceof OnnxExportError) throw error;
      throw new OnnxExportError(`cannot export layer ${call.layer.name} (${call.className}) to ONNX: ${(error as Error).message}`, call.layer.name, call.className, { cause: error });
    }
  }

  const last = context.onnxName(output);
  if (!builder.renameOutput(last, ONNX_OUTPUT_NAME)) builder.addNodeWithOutput('Identity', [last], ONNX_OUTPUT_NAME);
  return builder.encode({
    graphName: featureModel.name,
    input: { name: ONNX_INPUT_NAME, dims: [ONNX_BATCH_DIM, ...inputShape.slice(1).map((dim, index) => dim ?? `${['H', 'W', 'C'][index]}`)] },
    output: { name: ONNX_OUTPUT_NAME, dims: [ONNX_BATCH_DIM, featureDim] },
    docString: `tfjs LayersModel ${featureModel.name} exported by graft (NHWC input, BatchNormalization folded)`,
  });
}

function checkSupported(calls: LayerCall[]): void {
  for (const call of calls) {
    if (call.className !== 'InputLayer' && !Object.hasOwn(LAYER_CONVERTERS, call.className)) {
      throw new OnnxExportError(
        `cannot export layer ${call.layer.name} to ONNX: layer class ${call.className} is not supported (supported: ${SUPPORTED_LAYER_CLASSES.join(', ')})`,
        call.layer.name,
        call.className,
      );
    }
  }
}

interface FoldPlan {
  /** Convolution call → affine map of the batch norm folded into it. */
  into: Map<LayerCall, ChannelAffine>;
  /** Folded batch-norm call → the tensor (the convolution's output) that now carries its value. */
  skipped: Map<LayerCall, SymbolicTensor>;
}

/** Fold a BatchNormalization into the convolution feeding it when nothing else reads the convolution's output. */
function planBatchNormFolds(calls: LayerCall[], readers: Map<SymbolicTensor, number>): FoldPlan {
  const producer = new Map<SymbolicTensor, LayerCall>();
  for (const call of calls) for (const output of call.outputs) producer.set(output, call);
  const plan: FoldPlan = { into: new Map(), skipped: new Map() };
  for (const call of calls) {
    if (call.className !== 'BatchNormalization' || call.inputs.length !== 1) continue;
    const input = call.inputs[0]!;
    const conv = producer.get(input);
    if (!conv || !BATCH_NORM_FOLD_TARGETS.has(conv.className) || readers.get(input) !== 1 || plan.into.has(conv)) continue;
    if (!isLinearActivation(configOf(conv).activation)) continue;
    try {
      plan.into.set(conv, batchNormAffineOf(call));
    } catch (error) {
      throw new OnnxExportError(`cannot export layer ${call.layer.name} (${call.className}) to ONNX: ${(error as Error).message}`, call.layer.name, call.className, { cause: error });
    }
    plan.skipped.set(call, input);
  }
  return plan;
}
