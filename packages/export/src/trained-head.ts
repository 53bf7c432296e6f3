import { existsSync } from 'node:fs';
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
  /** Set on adapt's recommended model. */
  readonly adaptation?: ExportMetadata['adaptation'];
}

/** The metadata of train's head model, checked against train's labels.txt. */
export async function readTrainedHeadMetadata(headPath: string, labelsPath: string): Promise<TrainedHeadMetadata> {
  const trained = (await readModelArtifacts(headPath)).userDefinedMetadata as TrainedHeadMetadata | undefined;
  if (!trained?.backbone || !trained.preprocessing || !trained.head) throw new SchemaMismatchError(`${headPath} does not say which backbone and preprocessing it was trained with: rerun \`graft train\``);
  const labels = (await readFile(labelsPath, 'utf8')).split('\n').filter((line) => line !== '');
  if (stableStringify(labels) !== stableStringify(trained.labels)) throw new SchemaMismatchError(`${labelsPath} and ${headPath} list different classes: rerun \`graft train\``);
  return trained;
}

/**
 * The head to export: adapt's recommended model when adapt ran (--target) on the same backbone and
 * classes as train, else train's head.
 */
export async function headToExport(paths: { model: string; labels: string; adaptModel: string }, log: (message: string) => void): Promise<{ path: string; trained: TrainedHeadMetadata }> {
  const trained = await readTrainedHeadMetadata(paths.model, paths.labels);
  if (!existsSync(paths.adaptModel)) return { path: paths.model, trained };
  const adapted = await readTrainedHeadMetadata(paths.adaptModel, paths.labels);
  if (adapted.backbone.weightsSha256 !== trained.backbone.weightsSha256 || adapted.backbone.layer !== trained.backbone.layer || !adapted.adaptation) {
    log(`export: adapt's model was trained on other features (${adapted.backbone.id}) than train's head: exporting train's head (rerun graft adapt)`);
    return { path: paths.model, trained };
  }
  log(`export: deploying the domain-adapted model adapt recommends: ${adapted.adaptation.method}`);
  return { path: paths.adaptModel, trained: adapted };
}
