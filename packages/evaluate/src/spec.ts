import { defineStage, inputFrom } from '@graft/core/base';
import { splitStage } from '@graft/split/spec';
import { extractStage } from '@graft/extract/spec';
import { trainStage } from '@graft/train/spec';
import { similarityStage } from '@graft/similarity/spec';
import { adaptStage } from '@graft/adapt/spec';
import { doctorStage } from '@graft/doctor/spec';

/** evaluate: the trained head on the held-out test split, with an honest accuracy and a report page. */
export const evaluateStage = defineStage({
  name: 'evaluate',
  package: '@graft/evaluate',
  description: 'Run the trained head on the test-split bottlenecks: accuracy, per-class precision / recall / F1, confusion matrix, mistakes, and an HTML report.',
  // The dataset folder is read only for the thumbnails of the report's mistakes (optional).
  readsDataset: true,
  inputs: {
    classes: inputFrom(splitStage, 'classes'),
    rejected: inputFrom(splitStage, 'rejected'),
    bottlenecks: inputFrom(extractStage, 'bottlenecks'),
    skipped: inputFrom(extractStage, 'skipped'),
    model: inputFrom(trainStage, 'model'),
    modelWeights: inputFrom(trainStage, 'modelWeights'),
    labels: inputFrom(trainStage, 'labels'),
    metrics: inputFrom(trainStage, 'metrics'),
    selection: inputFrom(trainStage, 'selection'),
    // Domain adaptation (--target): read when present.
    similarity: inputFrom(similarityStage, 'summary', { optional: true }),
    adaptPredictions: inputFrom(adaptStage, 'predictions', { optional: true }),
    adaptMethods: inputFrom(adaptStage, 'methods', { optional: true }),
    // Dataset checks (doctor): read when present; leaked test images are re-scored without.
    doctorSummary: inputFrom(doctorStage, 'summary', { optional: true }),
    doctorDuplicates: inputFrom(doctorStage, 'duplicates', { optional: true }),
    doctorLabelIssues: inputFrom(doctorStage, 'labelIssues', { optional: true }),
    doctorOutliers: inputFrom(doctorStage, 'outliers', { optional: true }),
  },
  outputs: {
    report: { file: 'report.json', description: 'Test accuracy, per-class precision / recall / F1, confusion matrix and misclassified test images; with a target domain, target test accuracy per adaptation method; with the doctor\'s checks, the accuracy without test images leaked from train / validation.' },
    predictions: { file: 'predictions.parquet', schema: 'graft.predictions/1', description: 'Prediction for every image of every split: predicted class, confidence, class probabilities.' },
    page: { file: 'report/index.html', description: 'Self-contained HTML report (works offline): accuracy, curves, confusion matrix, per-class table, mistakes with thumbnails, dataset summary, dataset checks (duplicates, leaks, likely label errors, outliers), provenance.' },
  },
  params: {
    split: { type: 'string', default: 'test', choices: ['test', 'validation', 'train'], description: 'Split the headline accuracy is computed on.' },
  },
});
