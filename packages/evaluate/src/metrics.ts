/** Precision, recall and F1 of one class. */
export interface ClassMetrics {
  readonly classIndex: number;
  readonly className: string;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  /** Number of true instances of the class. */
  readonly support: number;
}

export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly count: number;
  /** confusion[true][predicted] counts. */
  readonly confusion: number[][];
  readonly perClass: ClassMetrics[];
  readonly macroF1: number | null;
}

/** Accuracy, confusion matrix and per-class precision / recall / F1 (null where undefined: 0/0). */
export function classificationMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>, labels: readonly string[]): ClassificationMetrics {
  const classCount = labels.length;
  const confusion = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    confusion[truth[i]!]![predicted[i]!]!++;
    if (truth[i] === predicted[i]) correct++;
  }
  const perClass = labels.map((className, c) => {
    const truePositives = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((sum, row) => sum + row[c]!, 0);
    const precision = predictedCount ? truePositives / predictedCount : null;
    const recall = support ? truePositives / support : null;
    const f1 = precision !== null && recall !== null ? (precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0) : null;
    return { classIndex: c, className, precision, recall, f1, support };
  });
  const f1s = perClass.map((m) => m.f1).filter((f): f is number => f !== null);
  return { accuracy: truth.length ? correct / truth.length : 0, count: truth.length, confusion, perClass, macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : null };
}
