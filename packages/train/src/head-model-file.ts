import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SchemaMismatchError, writeFileAtomic } from '@graft/core';
import { HIDDEN_ACTIVATIONS } from './spec.js';
import { HEAD_LAYER_NAMES } from './head-layer-names.js';
import type { DenseWeights, HiddenActivation, TrainedHead } from './head.js';

interface HeadModelJson {
  modelTopology?: { config?: { layers?: { name: string; class_name: string; config: { units?: number; activation?: string } }[] } };
  weightsManifest?: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

/**
 * Read the head that train saved as a tfjs LayersModel (`model/model.json` + `weights.bin`) back
 * into plain arrays, without loading tfjs: evaluate and the doctor only need a dense layer or two.
 * A model.json that is not a Graft head (other layers, other dtypes) is a SchemaMismatchError.
 */
export async function readHeadModel(modelJsonPath: string): Promise<TrainedHead> {
  const fail = (why: string) => new SchemaMismatchError(`${modelJsonPath} is not a head saved by graft train (${why}): rerun \`graft train\``);
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as HeadModelJson;
  const layers = json.modelTopology?.config?.layers;
  const groups = json.weightsManifest;
  if (!layers || !groups) throw fail('no layers or weights manifest');
  const tensors = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const group of groups) {
    const bytes = Buffer.concat(await Promise.all(group.paths.map((path) => readFile(join(dirname(modelJsonPath), path)))));
    let offset = 0;
    for (const spec of group.weights) {
      if (spec.dtype !== 'float32') throw fail(`weight ${spec.name} is ${spec.dtype}`);
      const count = spec.shape.reduce((a, b) => a * b, 1);
      if (offset + 4 * count > bytes.byteLength) throw fail('weights.bin is shorter than its manifest');
      tensors.set(spec.name, { shape: spec.shape, values: new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * count)) });
      offset += 4 * count;
    }
  }
  const dense = (name: string): (DenseWeights & { activation: string }) | null => {
    const layer = layers.find((l) => l.name === name);
    if (!layer) return null;
    const kernel = tensors.get(`${name}/kernel`);
    const bias = tensors.get(`${name}/bias`);
    if (layer.class_name !== 'Dense' || !kernel || !bias || kernel.shape.length !== 2 || bias.values.length !== kernel.shape[1]) throw fail(`layer ${name}`);
    return { kernel: kernel.values, bias: bias.values, inputDim: kernel.shape[0]!, units: kernel.shape[1]!, activation: layer.config.activation ?? 'linear' };
  };
  const hidden = dense(HEAD_LAYER_NAMES.hidden);
  const output = dense(HEAD_LAYER_NAMES.output);
  if (!output || output.activation !== 'softmax') throw fail(`no softmax layer ${HEAD_LAYER_NAMES.output}`);
  if (hidden && !(HIDDEN_ACTIVATIONS as readonly string[]).includes(hidden.activation)) throw fail(`hidden activation ${hidden.activation}`);
  if (hidden && hidden.units !== output.inputDim) throw fail('hidden and output layers do not connect');
  const outputWeights: DenseWeights = { kernel: output.kernel, bias: output.bias, inputDim: output.inputDim, units: output.units };
  return {
    featureDim: (hidden ?? output).inputDim,
    classCount: output.units,
    hidden: hidden ? { ...hidden, activation: hidden.activation as HiddenActivation } : null,
    output: outputWeights,
  };
}

/** The head's shape as model.json's user metadata records it (train, adapt and export read it). */
export function headShapeOf(head: TrainedHead, standardized: boolean) {
  return { featureDim: head.featureDim, hiddenUnits: head.hidden?.units ?? 0, hiddenActivation: head.hidden?.activation ?? null, classCount: head.classCount, standardized };
}

/** What tfjs-layers writes into a model.json (checked against tfjs itself in head-training.test.ts). */
const TFJS_LAYERS = { format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', kerasVersion: 'tfjs-layers 4.22.0' } as const;

function denseLayer(name: string, units: number, activation: string, inbound: string) {
  return {
    name,
    class_name: 'Dense',
    config: {
      units, activation, use_bias: true,
      kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
      name, trainable: true,
    },
    inbound_nodes: [[[inbound, 0, 0, {}]]],
  };
}

/**
 * Save a head as the tfjs LayersModel `headToLayersModel` builds and tfjs would save — the same
 * model.json and weights.bin, byte for byte — without loading tfjs (train stays light). Written
 * atomically per file into `directory`.
 */
export async function writeHeadModel(head: TrainedHead, directory: string, userDefinedMetadata?: Record<string, unknown>): Promise<void> {
  const dense = [...(head.hidden ? [{ name: HEAD_LAYER_NAMES.hidden, weights: head.hidden, activation: head.hidden.activation }] : []), { name: HEAD_LAYER_NAMES.output, weights: head.output, activation: 'softmax' }];
  const layers = [
    { name: 'features', class_name: 'InputLayer', config: { batch_input_shape: [null, head.featureDim], dtype: 'float32', sparse: false, name: 'features' }, inbound_nodes: [] },
    ...dense.map((layer, i) => denseLayer(layer.name, layer.weights.units, layer.activation, i === 0 ? 'features' : dense[i - 1]!.name)),
  ];
  const modelTopology = {
    class_name: 'Model',
    config: { name: 'graft_head', layers, input_layers: [['features', 0, 0]], output_layers: [[HEAD_LAYER_NAMES.output, 0, 0]] },
    keras_version: TFJS_LAYERS.kerasVersion,
    backend: 'tensor_flow.js',
  };
  const weights = dense.flatMap(({ name, weights: w }) => [
    { name: `${name}/kernel`, shape: [w.inputDim, w.units], dtype: 'float32', values: w.kernel },
    { name: `${name}/bias`, shape: [w.units], dtype: 'float32', values: w.bias },
  ]);
  const modelJson = {
    format: TFJS_LAYERS.format,
    generatedBy: TFJS_LAYERS.generatedBy,
    convertedBy: null,
    modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
    ...(userDefinedMetadata ? { userDefinedMetadata } : {}),
  };
  await mkdir(directory, { recursive: true });
  await writeFileAtomic(join(directory, 'weights.bin'), Buffer.concat(weights.map((w) => Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength))));
  await writeFileAtomic(join(directory, 'model.json'), JSON.stringify(modelJson));
}
