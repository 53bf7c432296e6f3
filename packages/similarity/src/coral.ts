import type { Sample } from './samples.js';

/** Covariance matrix (d × d, float64, unbiased: divided by n − 1) of a sample. */
export function covariance(points: Sample): Float64Array {
  const { count, dimension, values } = points;
  const mean = new Float64Array(dimension);
  for (let i = 0; i < count; i++) for (let k = 0; k < dimension; k++) mean[k]! += values[i * dimension + k]!;
  for (let k = 0; k < dimension; k++) mean[k]! /= count;
  const centred = new Float64Array(count * dimension);
  for (let i = 0; i < count; i++) for (let k = 0; k < dimension; k++) centred[i * dimension + k] = values[i * dimension + k]! - mean[k]!;
  const result = new Float64Array(dimension * dimension);
  for (let i = 0; i < count; i++) {
    const row = i * dimension;
    for (let a = 0; a < dimension; a++) {
      const value = centred[row + a]!;
      if (value === 0) continue;
      const out = a * dimension;
      for (let b = a; b < dimension; b++) result[out + b]! += value * centred[row + b]!;
    }
  }
  const scale = 1 / Math.max(1, count - 1);
  for (let a = 0; a < dimension; a++) {
    for (let b = a; b < dimension; b++) {
      const value = result[a * dimension + b]! * scale;
      result[a * dimension + b] = value;
      result[b * dimension + a] = value;
    }
  }
  return result;
}

/** Rows minus their column means, float64. */
function centred(points: Sample): Float64Array {
  const { count, dimension, values } = points;
  const mean = new Float64Array(dimension);
  for (let i = 0; i < count; i++) for (let k = 0; k < dimension; k++) mean[k]! += values[i * dimension + k]!;
  for (let k = 0; k < dimension; k++) mean[k]! /= count;
  return Float64Array.from(values, (value, i) => value - mean[i % dimension]!);
}

/** ‖A Bᵀ‖²_F of row-major matrices with `dimension` columns. */
function crossGramNorm(a: Float64Array, b: Float64Array, dimension: number): number {
  const rowsA = a.length / dimension;
  const rowsB = b.length / dimension;
  let sum = 0;
  for (let i = 0; i < rowsA; i++) {
    for (let j = 0; j < rowsB; j++) {
      let dot = 0;
      for (let k = 0; k < dimension; k++) dot += a[i * dimension + k]! * b[j * dimension + k]!;
      sum += dot * dot;
    }
  }
  return sum;
}

/**
 * CORAL distance ‖C_s − C_t‖²_F / (4 d²) between the feature covariances (Sun & Saenko 2016).
 * With fewer images than dimensions it is computed from n × n Gram matrices
 * (‖C‖²_F = ‖X_c X_cᵀ‖²_F / (n − 1)², ⟨C_s, C_t⟩ = ‖X_s X_tᵀ‖²_F / ((n_s − 1)(n_t − 1))), never forming d × d.
 */
export function coralDistance(source: Sample, target: Sample): number {
  const d = source.dimension;
  if (source.count + target.count >= d) {
    const cs = covariance(source);
    const ct = covariance(target);
    let sum = 0;
    for (let i = 0; i < cs.length; i++) {
      const difference = cs[i]! - ct[i]!;
      sum += difference * difference;
    }
    return sum / (4 * d * d);
  }
  const xs = centred(source);
  const xt = centred(target);
  const ns = source.count - 1;
  const nt = target.count - 1;
  const squared = crossGramNorm(xs, xs, d) / (ns * ns) + crossGramNorm(xt, xt, d) / (nt * nt) - (2 * crossGramNorm(xs, xt, d)) / (ns * nt);
  return Math.max(0, squared) / (4 * d * d);
}
