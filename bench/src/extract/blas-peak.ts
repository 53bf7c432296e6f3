import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A float32 matrix-multiply rate measured outside onnxruntime, with what measured it. */
export interface BlasPeak {
  readonly gflops: number;
  /** e.g. `OpenBLAS cblas_sgemm (C)` or `numpy matmul (OpenBLAS …)`. */
  readonly source: string;
  /** Best GFLOP/s at each n×n · n×n size. */
  readonly bySize: Record<number, number>;
}

const SGEMM_C = `#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
/* usage: sgemm-peak REPEATS N... ; prints the best GFLOP/s of each size as JSON. */
int main(int argc, char **argv) {
  int repeats = atoi(argv[1]);
  printf("{");
  for (int a = 2; a < argc; a++) {
    int n = atoi(argv[a]);
    float *x = malloc(sizeof(float) * n * n), *y = malloc(sizeof(float) * n * n), *z = malloc(sizeof(float) * n * n);
    for (long i = 0; i < (long)n * n; i++) { x[i] = (float)(i % 1000) / 1000 - 0.5f; y[i] = (float)((i * 7) % 1000) / 1000 - 0.5f; }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, x, n, y, n, 0, z, n);
    double best = 1e30;
    for (int r = 0; r < repeats; r++) {
      double t = now();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, x, n, y, n, 0, z, n);
      t = now() - t;
      if (t < best) best = t;
    }
    printf("%s\\"%d\\": %.2f", a > 2 ? ", " : "", n, 2.0 * n * n * (double)n / best / 1e9);
    free(x); free(y); free(z);
  }
  printf("}\\n");
  return 0;
}
`;

const NUMPY = `import json, sys, time, numpy as np
repeats = int(sys.argv[1]); best = {}
for n in map(int, sys.argv[2:]):
    x = ((np.arange(n * n) % 1000) / 1000 - 0.5).astype(np.float32).reshape(n, n)
    y = x.T.copy()
    x @ y
    times = []
    for _ in range(repeats):
        started = time.perf_counter(); x @ y; times.append(time.perf_counter() - started)
    best[n] = round(2 * n ** 3 / min(times) / 1e9, 2)
try:
    blas = np.show_config(mode='dicts')['Build Dependencies']['blas']
    name = f"{blas['name']} {blas.get('version', '')}"
except Exception:
    name = 'unknown BLAS'
print(json.dumps({'bySize': best, 'blas': name}))
`;

/**
 * The machine's sgemm rate through a BLAS: a small C program against OpenBLAS (Debian
 * libopenblas-dev, compiled with gcc into `workDir`) and numpy (whatever BLAS it was built with),
 * the faster of the two; best of `repeats` at each size, `threads` BLAS threads. Undefined when
 * neither is installed.
 */
export function blasPeak(threads: number, workDir: string, sizes = [1024, 2048, 3072, 4096], repeats = 6): BlasPeak | undefined {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const args = [String(repeats), ...sizes.map(String)];
  const found = [openBlasC(workDir, args, env), numpyMatmul(args, env)].filter((peak): peak is BlasPeak => peak !== undefined);
  return found.sort((a, b) => b.gflops - a.gflops)[0];
}

function openBlasC(workDir: string, args: string[], env: NodeJS.ProcessEnv): BlasPeak | undefined {
  try {
    mkdirSync(workDir, { recursive: true });
    writeFileSync(join(workDir, 'sgemm-peak.c'), SGEMM_C);
    execFileSync('gcc', ['-O2', '-o', join(workDir, 'sgemm-peak'), join(workDir, 'sgemm-peak.c'), '-lopenblas'], { stdio: 'pipe' });
    const bySize = JSON.parse(execFileSync(join(workDir, 'sgemm-peak'), args, { env, encoding: 'utf8' })) as Record<number, number>;
    return { gflops: Math.max(...Object.values(bySize)), source: 'OpenBLAS cblas_sgemm (C, Debian libopenblas)', bySize };
  } catch {
    return undefined; // no compiler or no OpenBLAS headers
  }
}

function numpyMatmul(args: string[], env: NodeJS.ProcessEnv): BlasPeak | undefined {
  try {
    const result = JSON.parse(execFileSync('python3', ['-c', NUMPY, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { bySize: Record<number, number>; blas: string };
    return { gflops: Math.max(...Object.values(result.bySize)), source: `numpy matmul (${result.blas})`, bySize: result.bySize };
  } catch {
    return undefined; // no python3 or no numpy
  }
}
