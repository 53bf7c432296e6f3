import { tf } from './backend.js';

/** Class probabilities of row-major features through a head model, in chunks (bounded memory). */
export function predictProbabilities(model: tf.LayersModel, features: Float32Array, featureDim: number, classCount: number, chunkRows = 4096): Float32Array {
  const rows = features.length / featureDim;
  const probabilities = new Float32Array(rows * classCount);
  for (let start = 0; start < rows; start += chunkRows) {
    const end = Math.min(rows, start + chunkRows);
    const chunk = tf.tidy(() => model.predict(tf.tensor2d(features.subarray(start * featureDim, end * featureDim), [end - start, featureDim])) as tf.Tensor);
    probabilities.set(chunk.dataSync() as Float32Array, start * classCount);
    chunk.dispose();
  }
  return probabilities;
}
