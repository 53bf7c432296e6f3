import type { SeededRandom } from '@graft/core';

/** Draws training batches: `balanced` picks a class then an image of it (retrain.py), `uniform` any image. */
export function makeBatchSampler(labels: Int32Array, classCount: number, sampling: string, random: SeededRandom): (size: number) => Int32Array {
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  labels.forEach((label, i) => byClass[label]!.push(i));
  const present = byClass.filter((members) => members.length > 0);
  return (size) => {
    const batch = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      if (sampling === 'balanced') {
        const members = present[random.int(present.length)]!;
        batch[i] = members[random.int(members.length)]!;
      } else {
        batch[i] = random.int(labels.length);
      }
    }
    return batch;
  };
}

/**
 * Loss weight of each class: all 1 for `none`; for `balanced`, images / (classes present × images
 * of the class), so that under uniform sampling every class weighs the same in expectation.
 */
export function classWeights(labels: Int32Array, classCount: number, mode: string): Float32Array {
  const weights = new Float32Array(classCount).fill(1);
  if (mode !== 'balanced') return weights;
  const counts = new Array<number>(classCount).fill(0);
  for (const label of labels) counts[label]!++;
  const present = counts.filter((n) => n > 0).length;
  counts.forEach((n, c) => (weights[c] = n > 0 ? labels.length / (present * n) : 0));
  return weights;
}
