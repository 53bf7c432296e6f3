/**
 * Per-dimension standardisation of features: (x − mean) / scale. `scale` is the standard deviation
 * of the rows it was computed from, or 1 where a dimension does not vary there (it then carries no
 * information and its weights stay 0).
 */
export interface FeatureScaling {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
}

/**
 * Mean and standard deviation (population, as scikit-learn's StandardScaler) of the given rows of
 * row-major features, rows `stride` values apart (default: the dimension).
 */
export function featureScaling(features: Float32Array, dimension: number, rows: ArrayLike<number>, stride = dimension): FeatureScaling {
  const mean = new Float64Array(dimension);
  const scale = new Float64Array(dimension);
  const count = rows.length;
  for (let r = 0; r < count; r++) {
    const at = rows[r]! * stride;
    for (let d = 0; d < dimension; d++) mean[d]! += features[at + d]!;
  }
  for (let d = 0; d < dimension; d++) mean[d]! /= Math.max(1, count);
  for (let r = 0; r < count; r++) {
    const at = rows[r]! * stride;
    for (let d = 0; d < dimension; d++) scale[d]! += (features[at + d]! - mean[d]!) ** 2;
  }
  for (let d = 0; d < dimension; d++) {
    const deviation = Math.sqrt(scale[d]! / Math.max(1, count));
    // Constant (to float32 precision) on these rows: leave the dimension unscaled.
    scale[d] = deviation > Math.max(1e-30, 1e-6 * Math.abs(mean[d]!)) ? deviation : 1;
  }
  return { mean, scale };
}

/** The identity map: raw features. */
export function noScaling(dimension: number): FeatureScaling {
  return { mean: new Float64Array(dimension), scale: new Float64Array(dimension).fill(1) };
}

