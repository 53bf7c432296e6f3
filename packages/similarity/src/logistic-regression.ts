import { linearKernel } from './mmd.js';
import type { Sample } from './samples.js';

/** A linear binary classifier: p(y = 1 | x) = σ(w·x + b). */
export interface LinearClassifier {
  readonly weights: Float64Array;
  readonly bias: number;
}

/** A logistic regression in dual form over rows of a Gram matrix: w = Σ alpha_a x_train[a]. */
export interface GramClassifier {
  readonly alpha: Float64Array;
  readonly bias: number;
  /** Rows of the Gram matrix it was trained on. */
  readonly train: readonly number[];
}

/** Largest eigenvalue of a symmetric n × n matrix by power iteration. */
function largestEigenvalue(matrix: Float64Array, n: number, iterations = 30): number {
  let vector = new Float64Array(n).fill(1 / Math.sqrt(n));
  let eigenvalue = 0;
  for (let iteration = 0; iteration < iterations; iteration++) {
    const next = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      let sum = 0;
      for (let b = 0; b < n; b++) sum += matrix[a * n + b]! * vector[b]!;
      next[a] = sum;
    }
    let norm = 0;
    for (let a = 0; a < n; a++) norm += next[a]! * next[a]!;
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    eigenvalue = norm;
    for (let a = 0; a < n; a++) next[a]! /= norm;
    vector = next;
  }
  return eigenvalue;
}

/**
 * L2-regularised logistic regression, mean log-loss + (l2 / 2)‖w‖², on rows `train` of the linear
 * Gram matrix `gram` (size × size), labels indexed by Gram row. Nesterov-accelerated gradient descent
 * with step 1/L; the iterates w stay in the span of the training rows, so the descent runs on the
 * coefficients alpha (w = Σ alpha_a x_a) at O(n²) per step whatever the feature dimension. Deterministic.
 */
export function fitOnGram(gram: Float64Array, size: number, train: readonly number[], labels: Uint8Array, l2: number, iterations = 300): GramClassifier {
  const n = train.length;
  const kernel = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) kernel[a * n + b] = gram[train[a]! * size + train[b]!]!;
  const y = Float64Array.from(train, (row) => labels[row]!);
  // Lipschitz constant of the gradient: (λmax(XᵀX / n) + 1 for the bias) / 4 + l2.
  const step = 1 / ((largestEigenvalue(kernel, n) / n + 1) / 4 + l2);
  let alpha = new Float64Array(n);
  let bias = 0;
  let previousAlpha = new Float64Array(n);
  let previousBias = 0;
  const lookahead = new Float64Array(n);
  for (let t = 1; t <= iterations; t++) {
    const momentum = (t - 1) / (t + 2);
    for (let a = 0; a < n; a++) lookahead[a] = alpha[a]! + momentum * (alpha[a]! - previousAlpha[a]!);
    const lookaheadBias = bias + momentum * (bias - previousBias);
    const next = new Float64Array(n);
    let biasGradient = 0;
    for (let a = 0; a < n; a++) {
      let z = lookaheadBias;
      for (let b = 0; b < n; b++) z += kernel[a * n + b]! * lookahead[b]!;
      const residual = 1 / (1 + Math.exp(-z)) - y[a]!;
      biasGradient += residual;
      next[a] = lookahead[a]! - step * (residual / n + l2 * lookahead[a]!);
    }
    previousAlpha = alpha;
    previousBias = bias;
    alpha = next;
    bias = lookaheadBias - step * (biasGradient / n);
  }
  return { alpha, bias, train };
}

/** Decision values w·x + b of Gram rows `rows`. */
export function scoresOnGram(classifier: GramClassifier, gram: Float64Array, size: number, rows: readonly number[]): Float64Array {
  return Float64Array.from(rows, (row) => {
    let z = classifier.bias;
    classifier.train.forEach((trainRow, a) => (z += classifier.alpha[a]! * gram[row * size + trainRow]!));
    return z;
  });
}

/** Fraction of Gram rows `rows` whose thresholded prediction differs from the label. */
export function errorOnGram(classifier: GramClassifier, gram: Float64Array, size: number, rows: readonly number[], labels: Uint8Array): number {
  const scores = scoresOnGram(classifier, gram, size, rows);
  let wrong = 0;
  rows.forEach((row, i) => {
    if ((scores[i]! >= 0 ? 1 : 0) !== labels[row]) wrong++;
  });
  return rows.length ? wrong / rows.length : 0;
}

/** Fit a logistic regression on a sample (see fitOnGram) and return it with explicit weights. */
export function fitLogisticRegression(points: Sample, labels: Uint8Array, l2: number, iterations = 300): LinearClassifier {
  const all = Array.from({ length: points.count }, (_, i) => i);
  const fitted = fitOnGram(linearKernel(points), points.count, all, labels, l2, iterations);
  const weights = new Float64Array(points.dimension);
  for (let i = 0; i < points.count; i++) for (let k = 0; k < points.dimension; k++) weights[k]! += fitted.alpha[i]! * points.values[i * points.dimension + k]!;
  return { weights, bias: fitted.bias };
}

/** p(y = 1 | x) of every row. */
export function predictProbability(classifier: LinearClassifier, points: Sample): Float64Array {
  const { count, dimension, values } = points;
  const probabilities = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let z = classifier.bias;
    for (let k = 0; k < dimension; k++) z += values[i * dimension + k]! * classifier.weights[k]!;
    probabilities[i] = 1 / (1 + Math.exp(-z));
  }
  return probabilities;
}

/** Fraction of rows whose thresholded prediction differs from the label. */
export function errorRate(classifier: LinearClassifier, points: Sample, labels: Uint8Array): number {
  const probabilities = predictProbability(classifier, points);
  let wrong = 0;
  for (let i = 0; i < labels.length; i++) if ((probabilities[i]! >= 0.5 ? 1 : 0) !== labels[i]) wrong++;
  return labels.length ? wrong / labels.length : 0;
}
