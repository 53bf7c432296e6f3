import { defineStage, inputFrom } from '@graft/core/base';
import { splitStage } from '@graft/split/spec';
import { extractStage } from '@graft/extract/spec';
import { trainStage } from '@graft/train/spec';
import { SELECTION_METHODS } from './selection-methods.js';

/** adapt: classifiers trained on labelled source and unlabelled target bottlenecks, one per adaptation method. */
export const adaptStage = defineStage({
  name: 'adapt',
  package: '@graft/adapt',
  description: 'Domain adaptation on cached bottlenecks: train source-only, Deep CORAL, MMD (DDC/DAN), DANN (and CDAN, entropy minimisation) classifiers with labelled source and unlabelled target (--target) features; choose checkpoints and recommend one model (or train\'s head) without target labels.',
  readsDataset: false,
  needsTarget: true,
  inputs: {
    bottlenecks: inputFrom(extractStage, 'bottlenecks'), classes: inputFrom(splitStage, 'classes'),
    // The train stage's head: the recommendation's baseline (what users deploy without --target), when train has run.
    head: inputFrom(trainStage, 'model', { optional: true }), headWeights: inputFrom(trainStage, 'modelWeights', { optional: true }),
  },
  outputs: {
    predictions: { file: 'predictions.parquet', schema: 'graft.adapt-predictions/1', description: 'Per method, the selected model\'s prediction for every image of both domains (no labels: evaluate scores them).' },
    methods: { file: 'methods.parquet', schema: 'graft.adapt-methods/2', description: 'Per method: the selection rule, the chosen trade-off and step, its selection score, what is known without target labels (source validation and reverse-validation accuracy, target class balance and confidence), the source–target MMD, CORAL and proxy A-distance on its aligned layer, and whether it is the recommended model (with the rule\'s verdict).' },
    model: { file: 'model/model.json', optional: true, description: 'Only when an adapt method is recommended (not train\'s head): the recommended model as a head (raw features in, class probabilities out; input standardization folded in), with the train head\'s metadata and the method: graft export deploys it.' },
    modelWeights: { file: 'model/weights.bin', optional: true, description: 'Weights of the recommended model.' },
    curves: { file: 'curves.parquet', schema: 'graft.adapt-curves/1', description: 'Training curves: per method, trade-off and recorded step, the classification and adaptation losses and the selection score.' },
  },
  params: {
    adaptMethods: { type: 'string', default: 'source-only,coral,mmd,dann', description: 'Comma-separated methods: source-only, coral, mmd, dann, cdan, entropy.' },
    adaptSelection: { type: 'string', default: 'source-validation', choices: Object.keys(SELECTION_METHODS), description: 'How checkpoints and trade-offs are chosen without target labels: source-validation, importance-weighted (IWCV) or reverse-validation.' },
    adaptSteps: { type: 'integer', default: 1000, min: 1, max: 10_000_000, description: 'Training steps per method and trade-off.' },
    adaptBatchSize: { type: 'integer', default: 32, min: 2, max: 100_000, description: 'Source images and target images per step (each).' },
    adaptLearningRate: { type: 'number', default: 0.01, min: 1e-8, max: 100, description: 'Initial learning rate (SGD, momentum 0.9, annealed as in DANN).' },
    adaptLayer: { type: 'integer', default: 128, min: 0, max: 100_000, description: 'Units of the adaptation layer (dense + ReLU) the adaptation losses act on; 0 = none (they act on the logits).' },
    adaptTradeoffs: { type: 'string', default: '1', description: 'Comma-separated candidate weights λ of the adaptation loss; the selection rule picks one per method.' },
    adaptWeightDecay: { type: 'number', default: 0.001, min: 0, max: 100, description: 'L2 weight decay on every weight matrix.' },
    adaptDropout: { type: 'number', default: 0.5, min: 0, max: 0.95, description: 'Dropout rate on the adaptation layer before the classifier (training only).' },
    adaptDiscriminatorUnits: { type: 'integer', default: 128, min: 1, max: 100_000, description: 'Hidden units of the domain discriminator (DANN, CDAN).' },
    adaptDiscriminatorLearningRate: { type: 'number', default: 10, min: 1e-6, max: 1000, description: 'Learning rate of the domain discriminator (DANN, CDAN) as a multiple of --adapt-learning-rate: a discriminator that keeps up gives the features a useful reversed gradient (at 1×, DANN degrades as λ grows).' },
    adaptEvalEvery: { type: 'integer', default: 100, min: 1, max: 10_000_000, description: 'Score a checkpoint for selection every this many steps.' },
    adaptSeed: { type: 'integer', default: 42, min: 0, max: 2 ** 31 - 1, description: 'Seed of initialisation and batch sampling.' },
  },
});
