import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readdirSync } from 'node:fs';
import { BackboneError } from '@graft/core';
import { concatenate, type ModelArtifacts } from '@graft/tf';

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

function shardIndex(file: string): number {
  return Number(/shard(\d+)of/.exec(file)![1]);
}
