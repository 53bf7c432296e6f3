import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError, ArtifactNotFoundError, SchemaMismatchError } from '@graft/core';
import type { Preprocessing } from '@graft/extract';
import { exportStage } from './spec.js';

/** The backbone identity stored with bottlenecks, the head model and the export. */
export interface ExportedBackbone {
  readonly id: string;
  readonly layer: string;
  readonly weightsSha256: string;
  readonly featureDim: number;
  readonly licence: string;
  readonly description?: string;
}

/** metadata.json of an exported model folder: everything a consumer needs besides the weights. */
export interface ExportMetadata {
  readonly schema: string;
  /** Class names in output order. */
  readonly labels: string[];
  readonly input: {
    readonly shape: [null, number, number, 3];
    readonly dtype: 'float32';
    /** How to make the input tensor from an image file. */
    readonly pixels: string;
  };
  /** Extract's preprocessing. Its scale and offset are applied inside the model (layer `graft_input_scaling`). */
  readonly preprocessing: Preprocessing;
  readonly backbone: ExportedBackbone;
  readonly head: { readonly featureDim: number; readonly hiddenUnits: number; readonly hiddenActivation: string | null; readonly classCount: number };
  /**
   * `tfjs` (model.json + weights.bin, also when absent: older exports), `onnx` (model.onnx, for ONNX
   * and TFLite backbones; input `pixels`, output `probabilities`, same shapes) or `tfjs-graph`
   * (backbone/ — a tfjs graph model cut at node `layers.features`, fed the preprocessed image — and
   * head/).
   */
  readonly format?: 'tfjs' | 'onnx' | 'tfjs-graph';
  /** Names of the nested models inside model.json (or graphs of model.onnx): the frozen feature extractor and the trained head. */
  readonly layers: { readonly features: string; readonly head: string };
  /**
   * Present when `graft finetune` trained the backbone's top blocks: the backbone's weights are then
   * no longer those of `backbone.weightsSha256` (predict runs such a model whole, in tfjs).
   */
  readonly finetune?: { readonly cut: string; readonly blocks: number; readonly unfrozenLayers: string[]; readonly bestEpoch: number };
  /** Present when the head is the domain-adapted model graft adapt recommended (--target): its method, trade-off, step and the rule that chose it without target labels. */
  readonly adaptation?: { readonly method: string; readonly tradeoff: number | null; readonly step: number; readonly rule: string };
  readonly provenance: Record<string, unknown>;
}

export const METADATA_FILE = 'metadata.json';

/** Read and check `<folder>/metadata.json` of an exported model. */
export async function readExportMetadata(folder: string): Promise<ExportMetadata> {
  const path = join(folder, METADATA_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactNotFoundError(`${path} does not exist: run \`graft export\` first (or \`graft run\`), or pass the folder of an exported model`, { cause: error });
    throw new ArtifactError(`${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  let metadata: ExportMetadata;
  try {
    metadata = JSON.parse(text) as ExportMetadata;
  } catch (error) {
    throw new SchemaMismatchError(`${path} is not valid JSON: rerun \`graft export\``, { cause: error });
  }
  const expected = exportStage.outputs.metadata.schema;
  if (metadata.schema !== expected) throw new SchemaMismatchError(`${path} has schema ${metadata.schema ?? '(none)'} but this Graft reads ${expected}: rerun \`graft export\``);
  return metadata;
}
