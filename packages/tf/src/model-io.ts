import { tf } from './backend.js';
import { readFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic, BackboneError } from '@graft/core';

/** A tfjs model in memory: topology + weight specs + concatenated weight bytes. */
export interface ModelArtifacts {
  readonly modelTopology: object;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
  readonly format?: string;
  readonly userDefinedMetadata?: Record<string, unknown>;
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  userDefinedMetadata?: Record<string, unknown>;
}

/** Read a tfjs `model.json` and its weight files from disk or http(s). */
export async function readModelArtifacts(location: string): Promise<ModelArtifacts> {
  const isUrl = /^https?:\/\//.test(location);
  const fetchBytes = async (where: string): Promise<Uint8Array> => {
    if (isUrl) {
      const response = await fetch(where);
      if (!response.ok) throw new BackboneError(`GET ${where} failed: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    }
    return readFile(where);
  };
  let json: ModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(await fetchBytes(isUrl ? location : resolve(location))));
  } catch (error) {
    if (error instanceof BackboneError) throw error;
    throw new BackboneError(`cannot read tfjs model ${location}: ${(error as Error).message}`, { cause: error });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new BackboneError(`${location} is not a tfjs model.json (no modelTopology / weightsManifest)`);
  const base = isUrl ? new URL('.', location).href : dirname(resolve(location));
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const parts: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) parts.push(await fetchBytes(isUrl ? new URL(path, base).href : join(base, path)));
  }
  return { modelTopology: json.modelTopology, weightSpecs, weightData: concatenate(parts), format: json.format, userDefinedMetadata: json.userDefinedMetadata };
}

/** Concatenate byte arrays into one ArrayBuffer. */
export function concatenate(parts: readonly Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined.buffer;
}

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
