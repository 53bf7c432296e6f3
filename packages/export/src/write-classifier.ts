import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stableStringify, writeFileAtomic } from '@graft/core';
import type { Preprocessing } from '@graft/extract';
import { saveLayersModel, type tf } from '@graft/tf';
import { buildClassifier } from './classifier-model.js';
import type { ExportedBackbone, ExportMetadata } from './export-metadata.js';
import { exportStage } from './spec.js';

/** What an exported classifier is made of, besides its weights. */
export interface ClassifierParts {
  readonly featureModel: tf.LayersModel;
  readonly head: tf.LayersModel;
  readonly labels: string[];
  readonly preprocessing: Preprocessing;
  readonly backbone: ExportedBackbone;
  readonly headShape: ExportMetadata['head'];
  readonly provenance: Record<string, unknown>;
  /** Set when the backbone's top blocks were fine-tuned (its weights then differ from `backbone.weightsSha256`'s). */
  readonly finetune?: ExportMetadata['finetune'];
  /** Set when the head is adapt's recommended model. */
  readonly adaptation?: ExportMetadata['adaptation'];
}

/**
 * Write one classifier folder — `model.json` + `weights.bin` (pixels in, probabilities out) and
 * `metadata.json` — as export and finetune both do. Returns the size of the weights in bytes.
 */
export async function writeClassifier(modelPath: string, metadataPath: string, parts: ClassifierParts): Promise<number> {
  const classifier = buildClassifier(parts.featureModel, parts.head, parts.preprocessing);
  await saveLayersModel(classifier, dirname(modelPath));
  await writeExportMetadata(metadataPath, { ...parts, format: 'tfjs', layers: { features: parts.featureModel.name, head: parts.head.name } });
  return (await stat(modelPath.replace(/model\.json$/, 'weights.bin'))).size;
}

/** Write `metadata.json` of an exported classifier (tfjs or ONNX). */
export async function writeExportMetadata(
  metadataPath: string,
  parts: Omit<ClassifierParts, 'featureModel' | 'head'> & { format: NonNullable<ExportMetadata['format']>; layers: ExportMetadata['layers'] },
): Promise<void> {
  const { preprocessing } = parts;
  const { size } = preprocessing;
  const metadata: ExportMetadata = {
    schema: exportStage.outputs.metadata.schema,
    labels: parts.labels,
    input: {
      shape: [null, size, size, 3],
      dtype: 'float32',
      pixels: `RGB values 0..255 of the image resized to ${size}×${size} (extract: EXIF orientation applied, alpha flattened on ${JSON.stringify(preprocessing.background)}, sRGB, ${preprocessing.kernel} resize, fit ${preprocessing.fit})`,
    },
    preprocessing,
    backbone: parts.backbone,
    head: parts.headShape,
    format: parts.format,
    layers: parts.layers,
    ...(parts.finetune ? { finetune: parts.finetune } : {}),
    ...(parts.adaptation ? { adaptation: parts.adaptation } : {}),
    provenance: parts.provenance,
  };
  await writeFileAtomic(metadataPath, stableStringify(metadata, 2) + '\n');
}
