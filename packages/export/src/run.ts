import { dirname, join } from 'node:path';
import { GRAFT_METADATA_KEY, stageDir, writeFileAtomic, type StageFunction } from '@graft/core';
import { loadLayersModel, saveLayersModel, useTfjsBackend, writeModelArtifacts } from '@graft/tf';
import { exportStage } from './spec.js';
import { loadTrainedBackbone } from './classifier-model.js';
import { headToExport } from './trained-head.js';
import { writeClassifier, writeExportMetadata } from './write-classifier.js';
import { onnxClassifier } from './onnx-classifier.js';

/** The export stage: backbone + head as one model (tfjs, or ONNX for a backbone converted from TFLite) with metadata.json. */
export const runExport: StageFunction<typeof exportStage> = async (context) => {
  const { path: headPath, trained } = await headToExport({ model: context.inputPath('model'), labels: context.inputPath('labels'), adaptModel: context.inputPath('adaptModel') }, context.log);
  const { labels } = trained;

  const backend = await useTfjsBackend();
  const backbone = await loadTrainedBackbone(trained.backbone, trained.preprocessing);
  const head = await loadLayersModel(headPath);
  const provenance = (JSON.parse(context.artifactMetadata('metadata', { backend }).get(GRAFT_METADATA_KEY)!) as { provenance: Record<string, unknown> }).provenance;
  const parts = { labels, preprocessing: trained.preprocessing, backbone: trained.backbone, headShape: trained.head, provenance, ...(trained.adaptation ? { adaptation: trained.adaptation } : {}) };
  let weightBytes: number;
  if (backbone.format === 'tfjs-graph') {
    await writeModelArtifacts(backbone.graphModel!.artifacts, dirname(context.outputPath('graphBackbone')));
    await saveLayersModel(head, dirname(context.outputPath('graphHead')));
    await writeExportMetadata(context.outputPath('metadata'), { ...parts, format: 'tfjs-graph', layers: { features: backbone.graphModel!.node, head: head.name } });
    weightBytes = backbone.graphModel!.artifacts.weightData.byteLength;
  } else if (backbone.format === 'onnx') {
    const onnx = onnxClassifier(await backbone.onnxModel(), head, trained.preprocessing, labels.length);
    await writeFileAtomic(context.outputPath('onnx'), onnx);
    await writeExportMetadata(context.outputPath('metadata'), { ...parts, format: 'onnx', layers: { features: backbone.id, head: head.name } });
    weightBytes = onnx.length;
  } else {
    weightBytes = await writeClassifier(context.outputPath('model'), context.outputPath('metadata'), { ...parts, featureModel: await backbone.featureModel(), head });
  }
  context.log(`export: ${backbone.id} (${backbone.layer}) + head (${trained.head.hiddenUnits ? `hidden ${trained.head.hiddenUnits} ${trained.head.hiddenActivation}, ` : ''}${labels.length} classes) → ${join(stageDir(context.out, 'export'), 'model')} (${backbone.format === 'onnx' ? 'model.onnx, ' : backbone.format === 'tfjs-graph' ? 'backbone/ + head/, ' : ''}${(weightBytes / 1e6).toFixed(1)} MB of weights)`);
  head.dispose();
  return {
    summary: { backbone: backbone.id, format: backbone.format, head: trained.adaptation ? `adapt: ${trained.adaptation.method}` : 'train', classes: labels.length, inputSize: trained.preprocessing.size, weightBytes },
    details: { backend, backbone: trained.backbone, labels },
  };
};
