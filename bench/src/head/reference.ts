import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../project-copy.js';
import type { BenchDataset } from './datasets.js';

export interface ReferenceResult {
  readonly sklearn: string;
  readonly splits: { accuracy: number; C: number; seconds: number }[];
}

/** Where findPython looks, in order. */
export const PYTHON_CANDIDATES = [process.env.GRAFT_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));

/**
 * A Python that can import `modules` (scikit-learn by default): $GRAFT_PYTHON, python3 on the PATH,
 * or Debian's /usr/bin/python3 (apt-get install python3-sklearn, python3-torch python3-torchvision).
 */
export function findPython(modules = 'sklearn'): string | undefined {
  for (const candidate of PYTHON_CANDIDATES) {
    if (spawnSync(candidate, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

/** scikit-learn's LogisticRegressionCV on standardized features (bench/reference/logistic_regression_cv.py), on the same rows as Graft's heads. */
export function runReference(python: string, dataset: BenchDataset): ReferenceResult {
  const folder = mkdtempSync(join(tmpdir(), 'graft-reference-'));
  try {
    const prefix = join(folder, 'rows');
    writeFileSync(`${prefix}.f32`, dataset.all.features);
    writeFileSync(`${prefix}.json`, JSON.stringify({ dim: dataset.all.dimension, labels: Array.from(dataset.all.labels), splits: dataset.splits.map(({ train, test }) => ({ train, test })) }));
    const result = spawnSync(python, [join(REPO_ROOT, 'bench', 'reference', 'logistic_regression_cv.py'), prefix], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (result.status !== 0) throw new Error(`the reference failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as ReferenceResult;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
