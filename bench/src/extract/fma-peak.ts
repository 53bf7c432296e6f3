import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The cores' float32 arithmetic ceiling: every thread runs independent fused multiply-adds on
 * 64-byte vectors (AVX-512 registers where the CPU has them, else pairs of 32-byte ones) with no
 * memory traffic — what no real kernel exceeds. gcc -O2 -march=native; best of `repeats`.
 */
const FMA_C = `#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef float v16 __attribute__((vector_size(64)));
#define ACC 24
static long iterations;
static float sink;
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static void *run(void *arg) {
  v16 acc[ACC], a, b;
  for (int i = 0; i < 16; i++) { a[i] = 0.999999f; b[i] = 1e-7f * (float)(long)arg; }
  for (int k = 0; k < ACC; k++) for (int i = 0; i < 16; i++) acc[k][i] = (float)(k + i);
  for (long n = 0; n < iterations; n++) {
#pragma GCC unroll 24
    for (int k = 0; k < ACC; k++) acc[k] = acc[k] * a + b;
    __asm__ volatile("" : "+x"(a));
  }
  float total = 0;
  for (int k = 0; k < ACC; k++) for (int i = 0; i < 16; i++) total += acc[k][i];
  sink += total;
  return 0;
}
/* usage: fma-peak THREADS REPEATS ITERATIONS; prints the best GFLOP/s. */
int main(int argc, char **argv) {
  int threads = atoi(argv[1]), repeats = atoi(argv[2]);
  iterations = atol(argv[3]);
  double best = 1e30;
  for (int r = 0; r < repeats; r++) {
    pthread_t t[64];
    double started = now();
    for (long i = 0; i < threads; i++) pthread_create(&t[i], 0, run, (void *)i);
    for (int i = 0; i < threads; i++) pthread_join(t[i], 0);
    double seconds = now() - started;
    if (seconds < best) best = seconds;
  }
  printf("%.2f\\n", 2.0 * 16 * ACC * (double)iterations * threads / best / 1e9);
  return sink == 12345 ? 1 : 0;
}
`;

/** The FMA ceiling for `threads` threads in GFLOP/s, or undefined without gcc. */
export function fmaPeak(threads: number, workDir: string, repeats = 6, iterations = 20_000_000): number | undefined {
  try {
    mkdirSync(workDir, { recursive: true });
    writeFileSync(join(workDir, 'fma-peak.c'), FMA_C);
    execFileSync('gcc', ['-O2', '-march=native', '-ffp-contract=fast', '-pthread', '-o', join(workDir, 'fma-peak'), join(workDir, 'fma-peak.c')], { stdio: 'pipe' });
    return Number(execFileSync(join(workDir, 'fma-peak'), [String(threads), String(repeats), String(iterations)], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}
