import { closeSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BackboneError, hashJson, sha256 } from '@graft/core';
import type { tf } from '@graft/tf';
import { readModelArtifacts, type ModelArtifacts } from '@graft/tf/model-artifacts';
import { makePreprocessing, type InputRange, type Preprocessing } from '../preprocessing.js';
import type { InputNormalization } from '../onnx/onnx-model-file.js';
import { isTflite } from '../tflite/read-tflite.js';
import { BUNDLED_WEIGHTS_SHA256, readPinnedBundledModel } from './bundled-weights.js';
import { downloadModel, downloadFile, isUrl } from './model-download.js';
import { pinnedFileBytes } from './model-files.js';
import type { TfjsFeatures } from '../engines/tfjs-engine.js';
import { backboneEntry, type BundledBackbone, type DownloadedBackbone } from './registry.js';

/** What identifies a backbone's features, stored in provenance: equal identities give equal features. */
export interface BackboneIdentity {
  /** Registry id, or the model's path/URL. */
  readonly id: string;
  readonly layer: string;
  /** sha256 of the weight bytes (the model file, for TFLite). */
  readonly weightsSha256: string;
  readonly preprocessing: Preprocessing;
  readonly featureDim: number;
  readonly licence: string;
}

export interface LoadedBackbone extends BackboneIdentity {
  readonly description: string;
  /** Key of the feature cache and of the ONNX file the onnxruntime engine runs: hash of the identity. */
  readonly cacheKey: string;
  /**
   * `tfjs`: a tfjs layers model, run by every engine (onnxruntime through Graft's export of it);
   * `tfjs-graph`: a tfjs graph model (TF-Hub style), run by the tfjs engines;
   * `onnx`: an ONNX graph (ONNX files, TFLite files converted), run by onnxruntime only.
   */
  readonly format: 'tfjs' | 'tfjs-graph' | 'onnx';
  /** The tfjs feature model, built on first use (not needed when every feature is cached); `tfjs` format only. */
  featureModel(): Promise<tf.LayersModel>;
  /** Images → features in tfjs (`tfjs` and `tfjs-graph` formats). */
  tfjsFeatures(): Promise<TfjsFeatures>;
  /** The graph model's files and its feature node (`tfjs-graph` format), for export. */
  readonly graphModel?: { readonly artifacts: ModelArtifacts; readonly node: string };
  /** The ONNX feature model (NHWC images → [N, featureDim]); `onnx` format only. */
  onnxModel(): Promise<Uint8Array>;
}

export interface BackboneChoice {
  readonly backbone: string;
  readonly model: string;
  readonly layer: string;
  readonly inputRange: string;
  /** ONNX --model: per-channel normalization after the pixel range (`none`, `imagenet`). */
  readonly inputNormalization?: string;
}

/** The TFLite → ONNX converter (protobuf), loaded only for TFLite backbones. */
const tfliteConverter = () => import('../tflite/tflite-backbone.js');

/** Resolve `--backbone` / `--model --layer` into a backbone whose identity is known before any inference work. */
export async function loadBackbone(choice: BackboneChoice): Promise<LoadedBackbone> {
  if (choice.model && /\.onnx$/i.test(new URL(choice.model, 'file:///').pathname)) return loadOnnxModel(choice);
  if ((choice.inputNormalization ?? 'none') !== 'none') throw new BackboneError(`extract --input-normalization ${choice.inputNormalization} applies to an ONNX --model only`);
  if (choice.model) return isTfliteLocation(choice.model) ? loadTfliteModel(choice) : loadCustomModel(choice);
  const entry = backboneEntry(choice.backbone);
  if (!entry) throw new BackboneError(`unknown backbone ${choice.backbone}`);
  return entry.kind === 'bundled' ? loadBundled(choice, entry) : loadDownloaded(choice, entry);
}

/**
 * A backbone whose weights ship in nsfwjs: its identity uses the pinned sha256 of those weights, so
 * features and ONNX exports already cached need no weight file read (seconds: they are base64 in JS
 * modules); the weights are read, and checked against the pin, only when the model is built.
 */
function loadBundled(choice: BackboneChoice, spec: BundledBackbone): Promise<LoadedBackbone> {
  const layer = choice.layer || spec.layer;
  return makeTfjsBackbone(
    { id: choice.backbone, layer, weightsSha256: BUNDLED_WEIGHTS_SHA256[spec.weights], preprocessing: makePreprocessing(spec.inputSize, spec.inputRange), featureDim: layer === spec.layer ? spec.featureDim : -1, licence: spec.licence },
    spec.description,
    () => readPinnedBundledModel(spec.weights),
  );
}

/**
 * A registry backbone fetched from its pinned URL (or the mirror, or the cache): its identity comes
 * from the registry, so features already cached need neither the file nor the network.
 */
async function loadDownloaded(choice: BackboneChoice, spec: DownloadedBackbone): Promise<LoadedBackbone> {
  const layer = choice.layer || spec.layer;
  const preprocessing: Preprocessing = { ...makePreprocessing(spec.inputSize, '0,1'), scale: spec.input.scale, offset: spec.input.offset };
  let converted: Promise<{ onnx: Uint8Array; featureDim: number }> | undefined;
  const convert = () => {
    converted ??= pinnedFileBytes(spec, `backbone ${choice.backbone}`).then(async ({ bytes }) => {
      const { converted: result } = (await tfliteConverter()).convertTflite(bytes, layer, 'auto', spec.file);
      return { onnx: result.onnx, featureDim: result.featureDim };
    });
    return converted;
  };
  const featureDim = layer === spec.layer ? spec.featureDim : (await convert()).featureDim;
  return makeOnnxBackbone({ id: choice.backbone, layer, weightsSha256: spec.sha256, preprocessing, featureDim, licence: spec.licence }, spec.description, async () => (await convert()).onnx);
}

/** The bytes of a single-file model given by path or URL (a URL is downloaded once into the model cache). */
async function modelFileBytes(location: string): Promise<Uint8Array> {
  const path = isUrl(location) ? (await downloadFile(location)).path : location;
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new BackboneError(`cannot read ${location}: ${(error as Error).message}`, { cause: error });
  }
}

/** A .tflite file given by path or URL. */
async function loadTfliteModel(choice: BackboneChoice): Promise<LoadedBackbone> {
  const bytes = await modelFileBytes(choice.model);
  const { converted, scaling } = (await tfliteConverter()).convertTflite(bytes, choice.layer, choice.inputRange, basename(choice.model));
  const preprocessing: Preprocessing = { ...makePreprocessing(converted.inputSize, '0,1'), scale: scaling.scale, offset: scaling.offset };
  return makeOnnxBackbone(
    { id: choice.model, layer: choice.layer, weightsSha256: sha256(bytes), preprocessing, featureDim: converted.featureDim, licence: 'as given by the model\'s provider' },
    `TFLite model ${choice.model} (${converted.operators} operators converted to ONNX; pixel range from ${scaling.from})`,
    async () => converted.onnx,
  );
}

/** An ONNX file given by path or URL: run as it is, the named value as the feature. */
async function loadOnnxModel(choice: BackboneChoice): Promise<LoadedBackbone> {
  const bytes = await modelFileBytes(choice.model);
  const normalizationName = (choice.inputNormalization ?? 'none') as InputNormalization;
  const { onnxFeatureModel, INPUT_NORMALIZATIONS } = await import('../onnx/onnx-model-file.js');
  const model = await onnxFeatureModel(bytes, choice.layer, normalizationName, basename(choice.model));
  const stats = INPUT_NORMALIZATIONS[normalizationName];
  const range = (choice.inputRange === 'auto' ? '0,1' : choice.inputRange) as InputRange;
  const preprocessing: Preprocessing = { ...makePreprocessing(model.inputSize, range), ...(stats ? { normalization: { name: normalizationName, ...stats } } : {}) };
  return makeOnnxBackbone(
    { id: choice.model, layer: choice.layer, weightsSha256: sha256(bytes), preprocessing, featureDim: model.featureDim, licence: 'as given by the model\'s provider' },
    `ONNX model ${choice.model} up to ${choice.layer}`,
    async () => model.onnx,
  );
}

/** Whether a --model location is a TFLite file (by name, or by its bytes for a local file). */
function isTfliteLocation(location: string): boolean {
  return /\.tflite$/i.test(new URL(location, 'file:///').pathname) || (!isUrl(location) && !/\.json$/i.test(location) && isTfliteFile(location));
}

function isTfliteFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = new Uint8Array(8);
    readSync(fd, head, 0, 8, 0);
    return isTflite(head);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function loadCustomModel(choice: BackboneChoice): Promise<LoadedBackbone> {
  // A URL is downloaded once into the model cache (verified by sha256) and read from there.
  const download = isUrl(choice.model) ? await downloadModel(choice.model) : undefined;
  const artifacts = await readModelArtifacts(download?.path ?? choice.model);
  if (artifacts.format === 'graph-model') return loadGraphModel(choice, artifacts);
  const inputShape = findInputShape(artifacts.modelTopology);
  if (!inputShape || inputShape[1] !== inputShape[2] || typeof inputShape[1] !== 'number' || inputShape[3] !== 3) {
    throw new BackboneError(`${choice.model}: need a fixed square RGB input [null, size, size, 3], found ${JSON.stringify(inputShape)}`);
  }
  if (!choice.layer) throw new BackboneError(`extract --model needs --layer <name of the feature layer>`);
  const range = (choice.inputRange === 'auto' ? '0,1' : choice.inputRange) as InputRange;
  return makeTfjsBackbone(
    { id: choice.model, layer: choice.layer, weightsSha256: sha256(new Uint8Array(artifacts.weightData)), preprocessing: makePreprocessing(inputShape[1], range), featureDim: -1, licence: 'as given by the model\'s provider' },
    `tfjs model ${choice.model}${download ? ` (downloaded, model.json sha256 ${download.record.files['model.json']!.slice(0, 12)}…)` : ''}`,
    () => artifacts,
  );
}

/** A tfjs graph model (TF-Hub style): the named node's value as the feature, run by the tfjs engines. */
async function loadGraphModel(choice: BackboneChoice, artifacts: ModelArtifacts): Promise<LoadedBackbone> {
  const { graphModelFeatures } = await import('./graph-model.js');
  const { features, inputSize, featureDim } = await graphModelFeatures(artifacts, choice.layer, basename(choice.model));
  const range = (choice.inputRange === 'auto' ? '0,1' : choice.inputRange) as InputRange;
  const identity: BackboneIdentity = { id: choice.model, layer: choice.layer, weightsSha256: sha256(new Uint8Array(artifacts.weightData)), preprocessing: makePreprocessing(inputSize, range), featureDim, licence: 'as given by the model\'s provider' };
  return {
    ...identity,
    description: `tfjs graph model ${choice.model} up to node ${choice.layer}`,
    cacheKey: cacheKeyOf(identity),
    format: 'tfjs-graph',
    featureModel: () => Promise.reject(new BackboneError(`backbone ${identity.id} is a tfjs graph model: this needs a tfjs layers model (a bundled backbone, or --model <Keras model.json>)`)),
    tfjsFeatures: async () => features,
    onnxModel: () => Promise.reject(new BackboneError(`backbone ${identity.id} is a tfjs graph model: it runs on the tfjs engines (tfjs-node, tfjs-wasm, tfjs-cpu)`)),
    graphModel: { artifacts, node: choice.layer },
  };
}

/** Input shape of a Keras topology, as written by Keras (`model_config` wrapper) or by tfjs `model.save`. */
function findInputShape(topology: object): (number | null)[] | undefined {
  type Config = { config?: { layers?: { class_name: string; config: { batch_input_shape?: (number | null)[]; batch_shape?: (number | null)[] } }[] } };
  const model = ((topology as { model_config?: Config }).model_config ?? topology) as Config;
  const input = model.config?.layers?.find((layer) => layer.class_name === 'InputLayer');
  return input?.config.batch_input_shape ?? input?.config.batch_shape;
}

const cacheKeyOf = (identity: BackboneIdentity) => hashJson({ id: identity.id, layer: identity.layer, weights: identity.weightsSha256, preprocessing: identity.preprocessing }).slice(0, 16);

function makeOnnxBackbone(identity: BackboneIdentity, description: string, onnxModel: () => Promise<Uint8Array>): LoadedBackbone {
  return {
    ...identity,
    description,
    cacheKey: cacheKeyOf(identity),
    format: 'onnx',
    featureModel: () => Promise.reject(new BackboneError(`backbone ${identity.id} is an ONNX graph (imported from TFLite or ONNX): it runs on onnxruntime (engine auto or onnxruntime); this needs a tfjs backbone (a bundled one, or --model <tfjs model.json>)`)),
    tfjsFeatures: () => Promise.reject(new BackboneError(`backbone ${identity.id} is an ONNX graph: it runs on onnxruntime only (--engine auto or onnxruntime)`)),
    onnxModel,
  };
}

async function makeTfjsBackbone(identity: BackboneIdentity, description: string, readArtifacts: () => ModelArtifacts): Promise<LoadedBackbone> {
  let featureModel: tf.LayersModel | undefined;
  let featureDim = identity.featureDim;
  const build = async () => {
    // tfjs loads only here: a run whose features or ONNX export are cached never needs it.
    const [{ tf, useTfjsBackend }, { buildFeatureModel, featureDimension }] = await Promise.all([import('@graft/tf'), import('./feature-model.js')]);
    await useTfjsBackend();
    const artifacts = readArtifacts();
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, weightData: artifacts.weightData }));
    featureModel = buildFeatureModel(model, identity.layer);
    featureDim = featureDimension(featureModel);
  };
  if (featureDim < 0) await build();
  const fullIdentity = { ...identity, featureDim };
  return {
    ...fullIdentity,
    description,
    cacheKey: cacheKeyOf(fullIdentity),
    format: 'tfjs',
    async featureModel() {
      if (!featureModel) await build();
      return featureModel!;
    },
    async tfjsFeatures() {
      if (!featureModel) await build();
      return featureModel!;
    },
    onnxModel: () => Promise.reject(new BackboneError(`backbone ${identity.id} is a tfjs model: its ONNX form is exported by the onnxruntime engine`)),
  };
}
