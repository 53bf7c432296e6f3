import type { DomainData } from './domain-data.js';
import type { Classifier, SelectionScore } from './selection.js';

/**
 * What can be known about a trained model without target labels: how it does on the labelled source
 * validation split, how a classifier trained on its target pseudo-labels does back on the source
 * (reverse validation), and whether its target predictions collapsed.
 */
export interface LabelFreeDiagnostics {
  readonly sourceValidationAccuracy: number;
  /** Images of the source validation split (one of them is 1/N of its accuracy). */
  readonly sourceValidationImages: number;
  /** Reverse validation (Zhong et al. 2010): a linear classifier trained on the model's target pseudo-labels, its accuracy on the source validation split. */
  readonly reverseValidationAccuracy: number;
  /** Entropy of the predicted-class histogram on the target adaptation images, divided by ln(classes): 1 = every class equally often, 0 = one class. */
  readonly targetClassBalance: number;
  /** Mean top-class probability on the target adaptation images. */
  readonly targetConfidence: number;
}

/** Index of the largest of `count` values at `values[offset …]`. */
export function argmax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  for (let c = 1; c < count; c++) if (values[offset + c]! > values[offset + best]!) best = c;
  return best;
}

/** Normalised entropy of the histogram of predicted classes and the mean top probability, of row-major probabilities. */
export function predictionSpread(probabilities: Float32Array, classCount: number): { classBalance: number; confidence: number } {
  const rows = probabilities.length / classCount;
  const counts = new Float64Array(classCount);
  let confidence = 0;
  for (let i = 0; i < rows; i++) {
    const top = argmax(probabilities, i * classCount, classCount);
    counts[top]!++;
    confidence += probabilities[i * classCount + top]!;
  }
  let entropy = 0;
  for (const n of counts) if (n > 0) entropy -= (n / rows) * Math.log(n / rows);
  return { classBalance: classCount > 1 ? entropy / Math.log(classCount) : 1, confidence: confidence / Math.max(1, rows) };
}

/** Accuracy of row-major probabilities against labels. */
export function probabilityAccuracy(probabilities: Float32Array, labels: Int32Array, classCount: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (argmax(probabilities, i * classCount, classCount) === labels[i]) correct++;
  return correct / Math.max(1, labels.length);
}

export function labelFreeDiagnostics(network: Classifier, data: DomainData, reverseValidation: SelectionScore): LabelFreeDiagnostics {
  const { sourceValidation: validation, target, classCount } = data;
  const spread = predictionSpread(network.infer(target.features, target.count).probabilities, classCount);
  return {
    sourceValidationAccuracy: probabilityAccuracy(network.infer(validation.features, validation.count).probabilities, validation.labels, classCount),
    sourceValidationImages: validation.count,
    reverseValidationAccuracy: reverseValidation(network),
    targetClassBalance: spread.classBalance,
    targetConfidence: spread.confidence,
  };
}
