import { defineStage, inputFrom } from '@graft/core';
import { splitStage } from '@graft/split';
import { extractStage } from '@graft/extract';
import { trainStage } from '@graft/train';

/** finetune: unfreeze the top blocks of the backbone and train them with the head, on cached cut-point activations. */
export const finetuneStage = defineStage({
  name: 'finetune',
  package: '@graft/finetune',
  description: 'Fine-tune the top K blocks of the backbone together with the trained head (lower learning rate for the backbone, BatchNorm frozen, augmentation, early stopping), on activations cached at the cut point; export the whole classifier.',
  readsDataset: true,
  inputs: {
    manifest: inputFrom(splitStage, 'manifest'),
    bottlenecks: inputFrom(extractStage, 'bottlenecks'),
    model: inputFrom(trainStage, 'model'),
    modelWeights: inputFrom(trainStage, 'modelWeights'),
    labels: inputFrom(trainStage, 'labels'),
  },
  outputs: {
    model: { file: 'model/model.json', description: 'The fine-tuned classifier as a tfjs LayersModel: preprocessed image in, class probabilities out (backbone + head).' },
    modelWeights: { file: 'model/weights.bin', description: 'Weights of the fine-tuned classifier.' },
    metrics: { file: 'metrics.parquet', schema: 'graft.finetune-metrics/1', description: 'Per epoch: train loss, validation loss and accuracy.' },
    report: { file: 'report.json', description: 'Frozen and fine-tuned test accuracy, the cut point, the unfrozen layers and the time taken.' },
  },
  params: {
    finetuneBlocks: { type: 'integer', default: 2, min: 1, max: 100, description: 'Number of top backbone blocks to unfreeze (InceptionV3: mixed blocks; MobileNetV2: inverted-residual blocks).' },
    finetuneEpochs: { type: 'integer', default: 10, min: 1, max: 10_000, description: 'Maximum epochs (early stopping on the validation loss may end sooner).' },
    finetuneBatchSize: { type: 'integer', default: 16, min: 1, max: 4096, description: 'Images per step.' },
    finetuneLearningRate: { type: 'number', default: 0.001, min: 1e-8, max: 10, description: 'Learning rate of the head (Adam).' },
    finetuneBackboneFactor: { type: 'number', default: 0.1, min: 0, max: 10, description: 'The unfrozen backbone layers learn at the head\'s rate × this (discriminative learning rates).' },
    finetuneCopies: { type: 'integer', default: 2, min: 0, max: 100, description: 'Distorted copies of each training image (flip, crop, brightness) cached at the cut point; 0 = no augmentation.' },
    finetunePatience: { type: 'integer', default: 2, min: 1, max: 10_000, description: 'Stop after this many epochs without a lower validation loss.' },
    finetuneSeed: { type: 'integer', default: 42, min: 0, max: 2 ** 31 - 1, description: 'Seed of augmentation and batch order.' },
  },
});
