import { tf } from './backend.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@graft/core';
import { concatenate, readModelArtifacts, type ModelArtifacts, type ModelJson } from './model-artifacts.js';

export { readModelArtifacts, concatenate } from './model-artifacts.js';
export type { ModelArtifacts } from './model-artifacts.js';

/** Save a tfjs LayersModel as `model.json` + `weights.bin` into a folder (atomic per file). */
export async function saveLayersModel(model: tf.LayersModel, directory: string, userDefinedMetadata?: Record<string, unknown>): Promise<void> {
  await mkdir(directory, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData instanceof ArrayBuffer ? artifacts.weightData : concatenate((artifacts.weightData ?? []).map((b) => new Uint8Array(b)));
      await writeFileAtomic(join(directory, 'weights.bin'), new Uint8Array(weightData));
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        ...(userDefinedMetadata ? { userDefinedMetadata } : {}),
      };
      await writeFileAtomic(join(directory, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Load a tfjs LayersModel from model.json + weights on disk or http(s). */
export async function loadLayersModel(location: string): Promise<tf.LayersModel> {
  const artifacts = await readModelArtifacts(location);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, weightData: artifacts.weightData }));
}

/** Write a model held in memory (any format, e.g. a graph model) as `model.json` + `weights.bin` in `folder`. */
export async function writeModelArtifacts(artifacts: ModelArtifacts, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const json: ModelJson = { modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }], ...(artifacts.format ? { format: artifacts.format } : {}) };
  await writeFileAtomic(join(folder, 'weights.bin'), new Uint8Array(artifacts.weightData));
  await writeFileAtomic(join(folder, 'model.json'), JSON.stringify(json));
}
