import { tf } from '@graft/tf';

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

/** Index and value of the largest probability of each row. */
export function argmaxRows(probabilities: Float32Array, classCount: number): { predicted: Int32Array; confidence: Float32Array } {
  const rows = probabilities.length / classCount;
  const predicted = new Int32Array(rows);
  const confidence = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classCount; c++) if (probabilities[r * classCount + c]! > probabilities[r * classCount + best]!) best = c;
    predicted[r] = best;
    confidence[r] = probabilities[r * classCount + best]!;
  }
  return { predicted, confidence };
}
