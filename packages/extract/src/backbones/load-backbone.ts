import { BackboneError, hashJson, sha256 } from '@graft/core';
import { readModelArtifacts, tf, useTfjsBackend, type ModelArtifacts } from '@graft/tf';
import { makePreprocessing, type InputRange, type Preprocessing } from '../preprocessing.js';
import { readBundledModel } from './bundled-weights.js';
import { downloadModel, isUrl } from './model-download.js';
import { buildFeatureModel, featureDimension } from './feature-model.js';
import { BUNDLED_BACKBONES, type BundledBackboneId } from './registry.js';

/** What identifies a backbone's features, stored in provenance: equal identities give equal features. */
export interface BackboneIdentity {
  /** Bundled id, or the model's path/URL. */
  readonly id: string;
  readonly layer: string;
  /** sha256 of the weight bytes. */
  readonly weightsSha256: string;
  readonly preprocessing: Preprocessing;
  readonly featureDim: number;
  readonly licence: string;
}

export interface LoadedBackbone extends BackboneIdentity {
  readonly description: string;
  /** Key of the feature cache and of the exported ONNX file: hash of the identity. */
  readonly cacheKey: string;
  /** The tfjs feature model, built on first use (not needed when every feature is cached). */
  featureModel(): Promise<tf.LayersModel>;
}

export interface BackboneChoice {
  readonly backbone: string;
  readonly model: string;
  readonly layer: string;
  readonly inputRange: string;
}

/** Resolve `--backbone` / `--model --layer` into a backbone whose identity is known before any tfjs work. */
export async function loadBackbone(choice: BackboneChoice): Promise<LoadedBackbone> {
  if (choice.model) return loadCustomModel(choice);
  const spec = BUNDLED_BACKBONES[choice.backbone as BundledBackboneId];
  const layer = choice.layer || spec.layer;
  const artifacts = readBundledModel(spec.weights);
  return makeBackbone(
    { id: choice.backbone, layer, weightsSha256: sha256(new Uint8Array(artifacts.weightData)), preprocessing: makePreprocessing(spec.inputSize, spec.inputRange), featureDim: layer === spec.layer ? spec.featureDim : -1, licence: spec.licence },
    spec.description,
    artifacts,
  );
}

async function loadCustomModel(choice: BackboneChoice): Promise<LoadedBackbone> {
  // A URL is downloaded once into the model cache (verified by sha256) and read from there.
  const download = isUrl(choice.model) ? await downloadModel(choice.model) : undefined;
  const artifacts = await readModelArtifacts(download?.path ?? choice.model);
  if (artifacts.format === 'graph-model') {
    throw new BackboneError(`${choice.model} is a tfjs graph model; extract --model takes a tfjs layers model (Keras) for now`);
  }
  const inputShape = findInputShape(artifacts.modelTopology);
  if (!inputShape || inputShape[1] !== inputShape[2] || typeof inputShape[1] !== 'number' || inputShape[3] !== 3) {
    throw new BackboneError(`${choice.model}: need a fixed square RGB input [null, size, size, 3], found ${JSON.stringify(inputShape)}`);
  }
  if (!choice.layer) throw new BackboneError(`extract --model needs --layer <name of the feature layer>`);
  return makeBackbone(
    { id: choice.model, layer: choice.layer, weightsSha256: sha256(new Uint8Array(artifacts.weightData)), preprocessing: makePreprocessing(inputShape[1], choice.inputRange as InputRange), featureDim: -1, licence: 'as given by the model\'s provider' },
    `tfjs model ${choice.model}${download ? ` (downloaded, model.json sha256 ${download.record.files['model.json']!.slice(0, 12)}…)` : ''}`,
    artifacts,
  );
}

/** Input shape of a Keras topology, as written by Keras (`model_config` wrapper) or by tfjs `model.save`. */
function findInputShape(topology: object): (number | null)[] | undefined {
  type Config = { config?: { layers?: { class_name: string; config: { batch_input_shape?: (number | null)[]; batch_shape?: (number | null)[] } }[] } };
  const model = ((topology as { model_config?: Config }).model_config ?? topology) as Config;
  const input = model.config?.layers?.find((layer) => layer.class_name === 'InputLayer');
  return input?.config.batch_input_shape ?? input?.config.batch_shape;
}

async function makeBackbone(identity: BackboneIdentity, description: string, artifacts: ModelArtifacts): Promise<LoadedBackbone> {
  let featureModel: tf.LayersModel | undefined;
  let featureDim = identity.featureDim;
  const build = async () => {
    await useTfjsBackend();
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, weightData: artifacts.weightData }));
    featureModel = buildFeatureModel(model, identity.layer);
    featureDim = featureDimension(featureModel);
  };
  if (featureDim < 0) await build();
  const fullIdentity = { ...identity, featureDim };
  return {
    ...fullIdentity,
    description,
    cacheKey: hashJson({ id: identity.id, layer: identity.layer, weights: identity.weightsSha256, preprocessing: identity.preprocessing }).slice(0, 16),
    async featureModel() {
      if (!featureModel) await build();
      return featureModel!;
    },
  };
}
