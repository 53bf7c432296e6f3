import { defineStage, inputFrom } from '@graft/core/base';
import { extractStage } from '@graft/extract/spec';
import { trainStage } from '@graft/train/spec';
import { exportStage } from '@graft/export/spec';

/** finetune: unfreeze the top blocks of the backbone and train them with the head, on cached cut-point activations. */
export const finetuneStage = defineStage({
  name: 'finetune',
  package: '@graft/finetune',
  description: 'Fine-tune the top K blocks of the backbone together with the trained head (lower learning rate for the backbone, BatchNorm frozen, augmentation, early stopping), on activations cached at the cut point; export the whole classifier like `graft export`.',
  readsDataset: true,
  inputs: {
    bottlenecks: inputFrom(extractStage, 'bottlenecks'),
    model: inputFrom(trainStage, 'model'),
    modelWeights: inputFrom(trainStage, 'modelWeights'),
    labels: inputFrom(trainStage, 'labels'),
  },
  outputs: {
    model: { file: 'model/model.json', description: 'The fine-tuned classifier as one tfjs LayersModel, laid out like export\'s: RGB pixels 0..255 [n, size, size, 3] in, class probabilities out.' },
    modelWeights: { file: 'model/weights.bin', description: 'Weights of the fine-tuned classifier (float32).' },
    metadata: { file: 'model/metadata.json', schema: exportStage.outputs.metadata.schema, description: 'Labels, input size and preprocessing, backbone identity, head shape, the fine-tuned cut and blocks, and provenance (export\'s metadata.json plus `finetune`).' },
    metrics: { file: 'metrics.parquet', schema: 'graft.finetune-metrics/1', description: 'Per epoch: train loss, validation loss and accuracy (epoch 0: the frozen starting point).' },
    page: { file: 'report.html', description: 'The same as a self-contained HTML page: frozen vs fine-tuned test accuracy, per-epoch curves with the kept epoch marked, the setup.' },
    report: { file: 'report.json', description: 'Frozen and fine-tuned test accuracy (N), the cut, the unfrozen layers, the engines that computed the cut activations, the epochs (times are in the log and the --json summary).' },
  },
  params: {
    finetuneBlocks: { type: 'integer', default: 1, min: 1, max: 100, description: 'Number of top backbone blocks to unfreeze (InceptionV3: mixed blocks; MobileNetV2: inverted-residual blocks), counted down from the feature layer: 1 = mixed7 of the default backbone. Each block adds 1–2 M weights and CPU time per epoch.' },
    finetuneEpochs: { type: 'integer', default: 10, min: 1, max: 10_000, description: 'Maximum epochs (early stopping on the validation loss may end sooner).' },
    finetuneBatchSize: { type: 'integer', default: 16, min: 1, max: 4096, description: 'Images per step.' },
    finetuneLearningRate: { type: 'number', default: 0.001, min: 1e-8, max: 10, description: 'Learning rate of the head (Adam).' },
    finetuneBackboneFactor: { type: 'number', default: 0.1, min: 0, max: 10, description: 'The unfrozen backbone layers learn at the head\'s rate × this (discriminative learning rates, as fastai\'s fine_tune).' },
    finetunePatience: { type: 'integer', default: 2, min: 1, max: 10_000, description: 'Stop after this many epochs without a lower validation loss; the best epoch\'s weights are kept.' },
    finetuneCopies: { type: 'integer', default: 2, min: 0, max: 100, description: 'Distorted copies of each training image whose cut activations are cached and trained on; 0 = no augmentation.' },
    finetuneFlipLeftRight: { type: 'boolean', default: true, description: 'Distorted copies are mirrored left-right with probability 1/2 (turn off for images whose handedness matters: text, digits).' },
    finetuneRandomCrop: { type: 'number', default: 10, min: 0, max: 100, description: 'Percentage margin cropped off distorted copies at a random position.' },
    finetuneRandomScale: { type: 'number', default: 10, min: 0, max: 100, description: 'Distorted copies are enlarged by up to this percentage before the crop.' },
    finetuneRandomBrightness: { type: 'number', default: 10, min: 0, max: 100, description: 'Pixel values of distorted copies are multiplied by a random factor within ± this percentage.' },
    finetuneSeed: { type: 'integer', default: 42, min: 0, max: 2 ** 31 - 1, description: 'Seed of the distortions and of the batch order.' },
  },
});
