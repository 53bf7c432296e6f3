/**
 * Feature rows made ready for cosine similarity: each dimension standardized by the mean and
 * standard deviation of all rows (so that no single high-variance dimension dominates the angle),
 * then each row scaled to unit length. A dimension constant over the rows contributes nothing; a
 * row that is all zeros after centring stays zero (similarity 0 with everything).
 */
export function unitRows(features: Float32Array, dimension: number): Float32Array {
  const count = features.length / dimension;
  const mean = new Float64Array(dimension);
  const squares = new Float64Array(dimension);
  for (let r = 0; r < count; r++) {
    const at = r * dimension;
    for (let d = 0; d < dimension; d++) mean[d]! += features[at + d]!;
  }
  for (let d = 0; d < dimension; d++) mean[d]! /= Math.max(1, count);
  for (let r = 0; r < count; r++) {
    const at = r * dimension;
    for (let d = 0; d < dimension; d++) squares[d]! += (features[at + d]! - mean[d]!) ** 2;
  }
  const inverseScale = Float64Array.from(squares, (s) => {
    const sd = Math.sqrt(s / Math.max(1, count));
    return sd > 1e-12 ? 1 / sd : 0;
  });
  const unit = new Float32Array(features.length);
  const row = new Float64Array(dimension);
  for (let r = 0; r < count; r++) {
    const at = r * dimension;
    let norm = 0;
    for (let d = 0; d < dimension; d++) {
      const value = (features[at + d]! - mean[d]!) * inverseScale[d]!;
      row[d] = value;
      norm += value * value;
    }
    const inverseNorm = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dimension; d++) unit[at + d] = row[d]! * inverseNorm;
  }
  return unit;
}
