import { tf } from '@graft/tf';

/** Bandwidth multipliers of the multi-kernel MMD loss (around the batch's mean squared distance, as DAN). */
export const MMD_KERNEL_SCALES = [0.25, 0.5, 1, 2, 4] as const;

/** Covariance (h × h) of a batch of rows: (XᵀX − (1ᵀX)ᵀ(1ᵀX) / n) / (n − 1). */
function batchCovariance(x: tf.Tensor2D): tf.Tensor2D {
  const n = x.shape[0];
  const sum = tf.sum(x, 0, true);
  return tf.div(tf.sub(tf.matMul(x, x, true, false), tf.div(tf.matMul(sum, sum, true, false), n)), Math.max(1, n - 1)) as tf.Tensor2D;
}

/** Deep CORAL loss (Sun & Saenko 2016): ‖C_s − C_t‖²_F / (4 d²). */
export function coralLoss(source: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  const d = source.shape[1];
  return tf.div(tf.sum(tf.square(tf.sub(batchCovariance(source), batchCovariance(target)))), 4 * d * d) as tf.Scalar;
}

/**
 * Multi-kernel MMD² loss (DAN, Long et al. 2015): unbiased estimate with a sum of Gaussian kernels
 * exp(−‖x − y‖² / (s · m)), m the batch's mean squared distance (held constant: no gradient through it).
 * Both batches must have the same size.
 */
export function mmdLoss(source: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  const n = source.shape[0];
  const all = tf.concat([source, target], 0);
  const squares = tf.sum(tf.square(all), 1);
  const distances = tf.relu(tf.sub(tf.add(tf.expandDims(squares, 1), tf.expandDims(squares, 0)), tf.mul(2, tf.matMul(all, all, false, true))));
  const size = 2 * n;
  const bandwidth = Math.max(1e-8, (tf.sum(distances).dataSync()[0]! / (size * size - size)));
  let kernel = tf.zerosLike(distances);
  for (const scale of MMD_KERNEL_SCALES) kernel = tf.add(kernel, tf.exp(tf.div(distances, -scale * bandwidth)));
  kernel = tf.div(kernel, MMD_KERNEL_SCALES.length);
  // Weights of the unbiased estimator: within-domain pairs (diagonal excluded) and cross pairs.
  const weights = mmdWeights(n);
  return tf.sum(tf.mul(kernel, weights)) as tf.Scalar;
}

const weightCache = new Map<number, Float32Array>();

function mmdWeights(n: number): tf.Tensor2D {
  let values = weightCache.get(n);
  if (!values) {
    const size = 2 * n;
    values = new Float32Array(size * size);
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        if (i === j) continue;
        const sameDomain = i < n === j < n;
        values[i * size + j] = sameDomain ? 1 / (n * (n - 1)) : -1 / (n * n);
      }
    }
    weightCache.set(n, values);
  }
  return tf.tensor2d(values, [2 * n, 2 * n]);
}

/** Mean entropy of the softmax of logits (entropy minimisation on the target, Grandvalet & Bengio 2005). */
export function entropyLoss(logits: tf.Tensor2D): tf.Scalar {
  const logProbabilities = tf.logSoftmax(logits);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logProbabilities), logProbabilities), 1))) as tf.Scalar;
}

/**
 * Gradient reversal layer (Ganin & Lempitsky 2015): identity forward; backward multiplies the gradient
 * by −coefficient(). The coefficient is read when the gradient is computed (λ_p ramps during training).
 */
export function gradientReversal(coefficient: () => number): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...inputs) => ({
    value: tf.clone(inputs[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => [tf.mul(dy, -coefficient())],
  })) as (x: tf.Tensor) => tf.Tensor;
}

/** DANN's schedule λ_p = 2 / (1 + exp(−10 p)) − 1 for training progress p in [0, 1]. */
export function dannRamp(progress: number): number {
  return 2 / (1 + Math.exp(-10 * progress)) - 1;
}
