import { SeededRandom } from '@graft/core';

/** n points of dimension d, row-major. */
export interface Sample {
  readonly values: Float32Array;
  readonly count: number;
  readonly dimension: number;
}

export function sample(values: Float32Array, dimension: number): Sample {
  return { values, count: values.length / dimension, dimension };
}

/** The rows `indices` of a sample, copied. */
export function rowsOf(source: Sample, indices: ArrayLike<number>): Sample {
  const { dimension } = source;
  const values = new Float32Array(indices.length * dimension);
  for (let i = 0; i < indices.length; i++) values.set(source.values.subarray(indices[i]! * dimension, (indices[i]! + 1) * dimension), i * dimension);
  return { values, count: indices.length, dimension };
}

/** At most `limit` rows, drawn without replacement (seeded), in their original order. */
export function subsample(source: Sample, limit: number, random: SeededRandom): Sample {
  if (source.count <= limit) return source;
  const chosen = random.shuffle(Array.from({ length: source.count }, (_, i) => i)).slice(0, limit).sort((a, b) => a - b);
  return rowsOf(source, chosen);
}

/** Both samples stacked: the first `a.count` rows are a's. */
export function stack(a: Sample, b: Sample): Sample {
  if (a.dimension !== b.dimension) throw new Error(`samples of dimension ${a.dimension} and ${b.dimension} cannot be compared`);
  const values = new Float32Array(a.values.length + b.values.length);
  values.set(a.values);
  values.set(b.values, a.values.length);
  return { values, count: a.count + b.count, dimension: a.dimension };
}

/** Per-dimension mean and standard deviation (population), in float64. */
export function columnMoments(source: Sample): { mean: Float64Array; std: Float64Array } {
  const { dimension, count, values } = source;
  const mean = new Float64Array(dimension);
  const std = new Float64Array(dimension);
  for (let i = 0; i < count; i++) for (let k = 0; k < dimension; k++) mean[k]! += values[i * dimension + k]!;
  for (let k = 0; k < dimension; k++) mean[k]! /= Math.max(1, count);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < dimension; k++) {
      const deviation = values[i * dimension + k]! - mean[k]!;
      std[k]! += deviation * deviation;
    }
  }
  for (let k = 0; k < dimension; k++) std[k] = Math.sqrt(std[k]! / Math.max(1, count));
  return { mean, std };
}

/** Rows standardised with the given moments (constant dimensions become 0). */
export function standardise(source: Sample, moments: { mean: Float64Array; std: Float64Array }): Sample {
  const { dimension, count } = source;
  const values = new Float32Array(source.values.length);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < dimension; k++) {
      const std = moments.std[k]!;
      values[i * dimension + k] = std > 1e-12 ? (source.values[i * dimension + k]! - moments.mean[k]!) / std : 0;
    }
  }
  return { values, count, dimension };
}
