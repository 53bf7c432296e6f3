/** Robust z-score above which an image is flagged as an outlier (Iglewicz & Hoaglin's 3.5 on the modified z-score). */
export const OUTLIER_Z = 3.5;

export interface OutlierScores {
  /** 1 − cosine similarity to the nearest class direction: high = like no class. */
  readonly score: Float64Array;
  /** (score − median) / (1.4826 · median absolute deviation). */
  readonly robustZ: Float64Array;
  readonly flagged: boolean[];
  /** The class whose direction is nearest. */
  readonly nearestClass: Int32Array;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * How far each image is from every class: its feature vector's cosine similarity to each class's
 * mean direction (the mean of the class's unit feature vectors), on the raw features — not centred:
 * what kind of picture an image is lives largely in the direction the features share, which
 * centring removes (measured: off-topic pictures rank first this way, and below ordinary images
 * by nearest-neighbour density on standardized features, since they cluster with each other).
 * Flagged when the robust z-score of 1 − the best similarity exceeds OUTLIER_Z.
 */
export function outlierScores(features: Float32Array, dimension: number, labels: Int32Array, classCount: number): OutlierScores {
  const count = labels.length;
  const unit = new Float64Array(count * dimension);
  for (let r = 0; r < count; r++) {
    let norm = 0;
    for (let d = 0; d < dimension; d++) norm += features[r * dimension + d]! ** 2;
    const inverse = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dimension; d++) unit[r * dimension + d] = features[r * dimension + d]! * inverse;
  }
  const directions = new Float64Array(classCount * dimension);
  for (let r = 0; r < count; r++) for (let d = 0; d < dimension; d++) directions[labels[r]! * dimension + d]! += unit[r * dimension + d]!;
  for (let c = 0; c < classCount; c++) {
    let norm = 0;
    for (let d = 0; d < dimension; d++) norm += directions[c * dimension + d]! ** 2;
    const inverse = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dimension; d++) directions[c * dimension + d]! *= inverse;
  }
  const score = new Float64Array(count);
  const nearestClass = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    let best = -Infinity;
    for (let c = 0; c < classCount; c++) {
      let similarity = 0;
      for (let d = 0; d < dimension; d++) similarity += unit[r * dimension + d]! * directions[c * dimension + d]!;
      if (similarity > best) [best, nearestClass[r]] = [similarity, c];
    }
    score[r] = 1 - best;
  }
  if (count === 0) return { score, robustZ: score, flagged: [], nearestClass };
  const centre = median(score);
  const spread = 1.4826 * median(Float64Array.from(score, (s) => Math.abs(s - centre)));
  const robustZ = Float64Array.from(score, (s) => (spread > 0 ? (s - centre) / spread : 0));
  return { score, robustZ, flagged: Array.from(robustZ, (z) => z > OUTLIER_Z), nearestClass };
}
