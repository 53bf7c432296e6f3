export { predictProbabilities } from '@graft/tf';

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
