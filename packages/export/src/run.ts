import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GRAFT_METADATA_KEY, SchemaMismatchError, stableStringify, stageDir, writeFileAtomic, type StageFunction } from '@graft/core';
import type { Preprocessing } from '@graft/extract';
import { loadLayersModel, readModelArtifacts, saveLayersModel, useTfjsBackend } from '@graft/tf';
import { exportStage } from './spec.js';
import { buildClassifier, loadTrainedBackbone } from './classifier-model.js';
import type { ExportedBackbone, ExportMetadata } from './export-metadata.js';

/** What train stores in its head model's model.json. */
interface HeadModelMetadata {
  readonly labels: string[];
  readonly backbone: ExportedBackbone;
  readonly preprocessing: Preprocessing;
  readonly head: ExportMetadata['head'];
}

/** The export stage: backbone + head as one tfjs model with metadata.json. */
export const runExport: StageFunction<typeof exportStage> = async (context) => {
  const headPath = context.inputPath('model');
  const trained = (await readModelArtifacts(headPath)).userDefinedMetadata as HeadModelMetadata | undefined;
  if (!trained?.backbone || !trained.preprocessing || !trained.head) throw new SchemaMismatchError(`${headPath} does not say which backbone and preprocessing it was trained with: rerun \`graft train\``);
  const labels = (await readFile(context.inputPath('labels'), 'utf8')).split('\n').filter((line) => line !== '');
  if (stableStringify(labels) !== stableStringify(trained.labels)) throw new SchemaMismatchError(`${context.inputPath('labels')} and ${headPath} list different classes: rerun \`graft train\``);

  const backend = await useTfjsBackend();
  const backbone = await loadTrainedBackbone(trained.backbone, trained.preprocessing);
  const featureModel = await backbone.featureModel();
  const head = await loadLayersModel(headPath);
  const classifier = buildClassifier(featureModel, head, trained.preprocessing);
  const folder = dirname(context.outputPath('model'));
  await saveLayersModel(classifier, folder);
  const { size } = trained.preprocessing;
  const provenance = (JSON.parse(context.artifactMetadata('metadata', { backend }).get(GRAFT_METADATA_KEY)!) as { provenance: Record<string, unknown> }).provenance;
  const metadata: ExportMetadata = {
    schema: exportStage.outputs.metadata.schema,
    labels,
    input: {
      shape: [null, size, size, 3],
      dtype: 'float32',
      pixels: `RGB values 0..255 of the image resized to ${size}×${size} (extract: EXIF orientation applied, alpha flattened on ${JSON.stringify(trained.preprocessing.background)}, sRGB, ${trained.preprocessing.kernel} resize, fit ${trained.preprocessing.fit})`,
    },
    preprocessing: trained.preprocessing,
    backbone: trained.backbone,
    head: trained.head,
    layers: { features: featureModel.name, head: head.name },
    provenance,
  };
  await writeFileAtomic(context.outputPath('metadata'), stableStringify(metadata, 2) + '\n');
  const weightBytes = (await stat(context.outputPath('modelWeights'))).size;
  context.log(`export: ${backbone.id} (${backbone.layer}) + head (${trained.head.hiddenUnits ? `hidden ${trained.head.hiddenUnits} ${trained.head.hiddenActivation}, ` : ''}${labels.length} classes) → ${join(stageDir(context.out, 'export'), 'model')} (${(weightBytes / 1e6).toFixed(1)} MB of weights)`);
  classifier.dispose();
  return {
    summary: { backbone: backbone.id, classes: labels.length, inputSize: size, weightBytes },
    details: { backend, backbone: trained.backbone, labels },
  };
};
