import type { ManifestRow } from '@graft/split';

/** How two copies of an image can hurt, most serious first. */
export const PAIR_FINDINGS = ['label-conflict', 'test-leak', 'validation-leak', 'same-class'] as const;
export type PairFinding = (typeof PAIR_FINDINGS)[number];

/** A pair of images that are the same picture: byte for byte (exact), or by their features (near). */
export interface DuplicatePair {
  readonly kind: 'exact' | 'near';
  readonly a: number;
  readonly b: number;
  /** Cosine similarity of the standardized features (1 for exact duplicates). */
  readonly similarity: number;
  readonly finding: PairFinding;
  readonly acrossClasses: boolean;
  readonly acrossSplits: boolean;
}

/**
 * What a pair means: different classes → a label conflict (one of them is mislabelled, or the
 * classes overlap); one in test and one in train / validation → the test split leaks (the head
 * was fitted on the picture it is scored on); train vs validation → validation (and the L2
 * choice) leaks; otherwise a harmless repeat within a class and split.
 */
export function pairFinding(a: Pick<ManifestRow, 'className' | 'split'>, b: Pick<ManifestRow, 'className' | 'split'>): PairFinding {
  if (a.className !== b.className) return 'label-conflict';
  if (a.split === b.split) return 'same-class';
  return a.split === 'test' || b.split === 'test' ? 'test-leak' : 'validation-leak';
}

/** A pair of rows with its meaning. */
export function describePair(rows: readonly ManifestRow[], kind: DuplicatePair['kind'], a: number, b: number, similarity: number): DuplicatePair {
  const [first, second] = [rows[a]!, rows[b]!];
  return { kind, a, b, similarity, finding: pairFinding(first, second), acrossClasses: first.className !== second.className, acrossSplits: first.split !== second.split };
}

/** Every pair of rows with the same content sha256 (a < b), in row order. */
export function exactDuplicatePairs(rows: readonly ManifestRow[]): [number, number][] {
  const byHash = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const group = byHash.get(row.sha256);
    if (group) group.push(i);
    else byHash.set(row.sha256, [i]);
  });
  const pairs: [number, number][] = [];
  for (const group of byHash.values()) {
    for (let x = 0; x < group.length; x++) for (let y = x + 1; y < group.length; y++) pairs.push([group[x]!, group[y]!]);
  }
  return pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

/** Test rows that have an exact or near duplicate in train or validation. */
export function leakedTestRows(rows: readonly ManifestRow[], pairs: readonly DuplicatePair[]): number[] {
  const leaked = new Set<number>();
  for (const pair of pairs) {
    const [a, b] = [rows[pair.a]!, rows[pair.b]!];
    if (a.split === 'test' && b.split !== 'test') leaked.add(pair.a);
    if (b.split === 'test' && a.split !== 'test') leaked.add(pair.b);
  }
  return [...leaked].sort((x, y) => x - y);
}
