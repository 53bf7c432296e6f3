import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { BackboneError } from '@graft/core';

/*
 * tfjs model files as bytes, without loading tfjs (\`@graft/tf/model-artifacts\`): what reading a
 * model.json, or an identity from its weights, needs.
 */

/** A tfjs model in memory: topology + weight specs + concatenated weight bytes. */
export interface ModelArtifacts {
  readonly modelTopology: object;
  readonly weightSpecs: tfTypes.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
  readonly format?: string;
  readonly userDefinedMetadata?: Record<string, unknown>;
}

/** The JSON of a tfjs model.json. */
export interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tfTypes.io.WeightsManifestEntry[] }[];
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

