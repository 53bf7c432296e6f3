import { join } from 'node:path';
import { GRAFT_METADATA_KEY, stageDir, type StageFunction } from '@graft/core';
import { loadLayersModel, useTfjsBackend } from '@graft/tf';
import { exportStage } from './spec.js';
import { loadTrainedBackbone } from './classifier-model.js';
import { readTrainedHeadMetadata } from './trained-head.js';
import { writeClassifier } from './write-classifier.js';

/** The export stage: backbone + head as one tfjs model with metadata.json. */
export const runExport: StageFunction<typeof exportStage> = async (context) => {
  const headPath = context.inputPath('model');
  const trained = await readTrainedHeadMetadata(headPath, context.inputPath('labels'));
  const { labels } = trained;

  const backend = await useTfjsBackend();
  const backbone = await loadTrainedBackbone(trained.backbone, trained.preprocessing);
  const featureModel = await backbone.featureModel();
  const head = await loadLayersModel(headPath);
  const provenance = (JSON.parse(context.artifactMetadata('metadata', { backend }).get(GRAFT_METADATA_KEY)!) as { provenance: Record<string, unknown> }).provenance;
  const weightBytes = await writeClassifier(context.outputPath('model'), context.outputPath('metadata'), {
    featureModel, head, labels, preprocessing: trained.preprocessing, backbone: trained.backbone, headShape: trained.head, provenance,
  });
  context.log(`export: ${backbone.id} (${backbone.layer}) + head (${trained.head.hiddenUnits ? `hidden ${trained.head.hiddenUnits} ${trained.head.hiddenActivation}, ` : ''}${labels.length} classes) → ${join(stageDir(context.out, 'export'), 'model')} (${(weightBytes / 1e6).toFixed(1)} MB of weights)`);
  head.dispose();
  return {
    summary: { backbone: backbone.id, classes: labels.length, inputSize: trained.preprocessing.size, weightBytes },
    details: { backend, backbone: trained.backbone, labels },
  };
};
