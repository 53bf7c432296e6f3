/** One image's label, checked against what a head that never saw it predicts. */
export interface LabelCheck {
  /** Out-of-fold probability of the class the folder says. */
  readonly givenProbability: number;
  /** The most probable other class, and its probability. */
  readonly suggestedClass: number;
  readonly suggestedProbability: number;
  /** givenProbability − suggestedProbability: negative = the head prefers another class. Lower is more suspect. */
  readonly margin: number;
  /** Confident learning: the image counts as confidently belonging to another class (see labelIssues). */
  readonly flagged: boolean;
}

/**
 * Confident learning (Northcutt, Jiang & Chuang 2021) on out-of-fold probabilities: class j's
 * threshold t_j is the mean probability of j over the images labelled j (how confident the head
 * is, on average, about that class's own images). An image is flagged when, among the classes whose
 * probability reaches their threshold, the most probable one is not its label. Every image also
 * gets the margin to the best other class, by which flagged images are ranked (most negative
 * first), as in cleanlab's normalized-margin ranking.
 */
export function labelIssues(probabilities: Float32Array, labels: Int32Array, classCount: number): LabelCheck[] {
  const count = labels.length;
  const thresholdSum = new Float64Array(classCount);
  const members = new Float64Array(classCount);
  for (let i = 0; i < count; i++) {
    thresholdSum[labels[i]!]! += probabilities[i * classCount + labels[i]!]!;
    members[labels[i]!]!++;
  }
  const threshold = Float64Array.from(thresholdSum, (sum, c) => (members[c]! > 0 ? sum / members[c]! : Infinity));
  return Array.from(labels, (label, i) => {
    const p = probabilities.subarray(i * classCount, (i + 1) * classCount);
    let suggestedClass = -1;
    let confident = -1;
    for (let c = 0; c < classCount; c++) {
      if (c !== label && (suggestedClass < 0 || p[c]! > p[suggestedClass]!)) suggestedClass = c;
      if (p[c]! >= threshold[c]! && (confident < 0 || p[c]! > p[confident]!)) confident = c;
    }
    const suggestedProbability = suggestedClass < 0 ? 0 : p[suggestedClass]!;
    return { givenProbability: p[label]!, suggestedClass, suggestedProbability, margin: p[label]! - suggestedProbability, flagged: confident >= 0 && confident !== label };
  });
}

/** Row order from most to least suspect (lowest margin first; ties by row). */
export function suspicionOrder(checks: readonly LabelCheck[]): number[] {
  return checks.map((_, i) => i).sort((a, b) => checks[a]!.margin - checks[b]!.margin || a - b);
}
