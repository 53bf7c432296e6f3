import { Workspace } from '@graft/linalg';

/** Rows of similarities computed per kernel call: bounds the block buffer to BLOCK_ROWS × rows floats. */
export const BLOCK_ROWS = 256;

/** A pair of rows (a < b) and their cosine similarity. */
export interface SimilarPair {
  readonly a: number;
  readonly b: number;
  readonly similarity: number;
}

export interface NeighbourSearch {
  /** Neighbours kept per row. */
  readonly k: number;
  /** Row-major n × k: the k most similar other rows of each row, most similar first (−1 when there are fewer rows). */
  readonly neighbours: Int32Array;
  /** Their cosine similarities (NaN where there is no neighbour). */
  readonly similarities: Float32Array;
  /** Every pair with similarity ≥ the threshold, up to `maxPairs`, by row a then b. */
  readonly pairs: SimilarPair[];
  /** Pairs at or above the threshold that were not kept (past `maxPairs`). */
  readonly pairsNotKept: number;
}

export interface NeighbourOptions {
  readonly k: number;
  readonly threshold: number;
  readonly maxPairs: number;
  /** Called after each block of rows with the rows done so far. */
  readonly onBlock?: (rowsDone: number) => void;
}

/**
 * Exact k nearest neighbours by cosine similarity, and all pairs above a threshold, for unit rows
 * (see unitRows): similarities are computed block by block as matrix products of the rows with
 * themselves on Graft's WebAssembly SIMD kernels (n² · d multiply-adds; no index, no approximation),
 * and each block is scanned once.
 */
export function searchNeighbours(unit: Float32Array, dimension: number, options: NeighbourOptions): NeighbourSearch {
  const count = unit.length / dimension;
  const k = Math.max(0, Math.min(options.k, count - 1));
  const neighbours = new Int32Array(count * k).fill(-1);
  const similarities = new Float32Array(count * k).fill(Number.NaN);
  const pairs: SimilarPair[] = [];
  let pairsNotKept = 0;
  if (count === 0) return { k, neighbours, similarities, pairs, pairsNotKept };

  const workspace = new Workspace();
  const rows = workspace.matrixOf(unit, count, dimension);
  const blockRows = Math.min(BLOCK_ROWS, count);
  const products = workspace.matrix(blockRows, count);
  const productValues = () => workspace.floats(products.ptr, blockRows * products.ld);
  const bestIndex = new Int32Array(k);
  const bestValue = new Float32Array(k);

  for (let start = 0; start < count; start += blockRows) {
    const end = Math.min(count, start + blockRows);
    const mark = workspace.mark();
    const block = workspace.rowIndexOf(Int32Array.from({ length: end - start }, (_, i) => start + i));
    workspace.dot(rows, block, rows, products);
    const values = productValues();
    for (let i = start; i < end; i++) {
      const at = (i - start) * products.ld;
      let filled = 0;
      for (let j = 0; j < count; j++) {
        if (j === i) continue;
        const similarity = values[at + j]!;
        if (j > i && similarity >= options.threshold) {
          if (pairs.length < options.maxPairs) pairs.push({ a: i, b: j, similarity });
          else pairsNotKept++;
        }
        if (k === 0) continue;
        // Insertion into the sorted (descending) list of the best so far: a free slot, or the last one if beaten.
        if (filled < k) filled++;
        else if (!(similarity > bestValue[k - 1]!)) continue;
        let p = filled - 1;
        while (p > 0 && bestValue[p - 1]! < similarity) {
          bestValue[p] = bestValue[p - 1]!;
          bestIndex[p] = bestIndex[p - 1]!;
          p--;
        }
        bestValue[p] = similarity;
        bestIndex[p] = j;
      }
      neighbours.set(bestIndex.subarray(0, filled), i * k);
      similarities.set(bestValue.subarray(0, filled), i * k);
    }
    workspace.release(mark);
    options.onBlock?.(end);
  }
  return { k, neighbours, similarities, pairs, pairsNotKept };
}
