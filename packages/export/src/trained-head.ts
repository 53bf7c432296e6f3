import { readFile } from 'node:fs/promises';
import { SchemaMismatchError, stableStringify } from '@graft/core';
import type { Preprocessing } from '@graft/extract';
import { readModelArtifacts } from '@graft/tf';
import type { ExportedBackbone, ExportMetadata } from './export-metadata.js';

/** What train stores in its head model's model.json. */
export interface TrainedHeadMetadata {
  readonly labels: string[];
  readonly backbone: ExportedBackbone;
  readonly preprocessing: Preprocessing;
  readonly head: ExportMetadata['head'];
}

/** The metadata of train's head model, checked against train's labels.txt. */
export async function readTrainedHeadMetadata(headPath: string, labelsPath: string): Promise<TrainedHeadMetadata> {
  const trained = (await readModelArtifacts(headPath)).userDefinedMetadata as TrainedHeadMetadata | undefined;
  if (!trained?.backbone || !trained.preprocessing || !trained.head) throw new SchemaMismatchError(`${headPath} does not say which backbone and preprocessing it was trained with: rerun \`graft train\``);
  const labels = (await readFile(labelsPath, 'utf8')).split('\n').filter((line) => line !== '');
  if (stableStringify(labels) !== stableStringify(trained.labels)) throw new SchemaMismatchError(`${labelsPath} and ${headPath} list different classes: rerun \`graft train\``);
  return trained;
}
