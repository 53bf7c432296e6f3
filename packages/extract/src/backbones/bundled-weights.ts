import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readdirSync } from 'node:fs';
import { BackboneError, sha256 } from '@graft/core';
import { concatenate, type ModelArtifacts } from '@graft/tf/model-artifacts';

const require = createRequire(import.meta.url);

/** Model folders shipped inside the `nsfwjs` npm package (MIT, Infinite Red). */
export const NSFWJS_MODELS = ['inception_v3', 'mobilenet_v2', 'mobilenet_v2_mid'] as const;
export type NsfwjsModel = (typeof NSFWJS_MODELS)[number];

/** Folder of the tfjs weights bundled in nsfwjs, found through the package's own entry point. */
export function nsfwjsModelDir(name: NsfwjsModel): string {
  let entry: string;
  try {
    entry = require.resolve('nsfwjs');
  } catch (error) {
    throw new BackboneError('the nsfwjs package (which ships the bundled backbone weights) is not installed: run `npm ci`', { cause: error });
  }
  // entry is <pkg>/dist/cjs/index.js; the models live in <pkg>/dist/models/<name>/
  return join(dirname(entry), '..', 'models', name);
}

/**
 * Load bundled tfjs weights offline. nsfwjs ships each model as UMD modules: `model.min.js` exports
 * the model.json object, each `group1-shardNofM.min.js` exports one weight shard as base64.
 */
export function readBundledModel(name: NsfwjsModel): ModelArtifacts {
  const directory = nsfwjsModelDir(name);
  const modelJson = require(join(directory, 'model.min.js')) as {
    modelTopology: object;
    weightsManifest: { weights: ModelArtifacts['weightSpecs'] }[];
    format?: string;
  };
  const shards = readdirSync(directory)
    .filter((file) => /^group1-shard\d+of\d+\.min\.js$/.test(file))
    .sort((a, b) => shardIndex(a) - shardIndex(b))
    .map((file) => Buffer.from(require(join(directory, file)) as string, 'base64'));
  return {
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
    weightData: concatenate(shards),
    ...(modelJson.format ? { format: modelJson.format } : {}),
  };
}

/**
 * sha256 of each bundled model's weight bytes in nsfwjs 4.3.0 (the version package-lock.json
 * installs): the weights' identity without reading them (a test checks the pins against the files).
 */
export const BUNDLED_WEIGHTS_SHA256: Readonly<Record<NsfwjsModel, string>> = {
  inception_v3: '8a457f3fdec7db18b16e44323454db0eaeb8f314eda0046b2e293e58a5bfabf4',
  mobilenet_v2: '8e7dddbb16acacc1bf1601b1b8a761e730ff934b7f2d7771312b2f000e5f5f13',
  mobilenet_v2_mid: 'fee38f0bcbad1a223b8301c014bbf78984365aef5ab08fc3289ed4229ab67f0e',
};

/** The bundled model's weights, refused when they are not the pinned ones (another nsfwjs version). */
export function readPinnedBundledModel(name: NsfwjsModel): ModelArtifacts {
  const artifacts = readBundledModel(name);
  const actual = sha256(new Uint8Array(artifacts.weightData));
  if (actual !== BUNDLED_WEIGHTS_SHA256[name]) {
    throw new BackboneError(`the ${name} weights in ${nsfwjsModelDir(name)} (sha256 ${actual.slice(0, 12)}…) are not the ones Graft pins (${BUNDLED_WEIGHTS_SHA256[name].slice(0, 12)}…, nsfwjs 4.3.0): run \`npm ci\` to install the locked nsfwjs`);
  }
  return artifacts;
}

function shardIndex(file: string): number {
  return Number(/shard(\d+)of/.exec(file)![1]);
}
