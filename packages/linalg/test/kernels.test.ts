import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@graft/core';
import { Workspace } from '../src/workspace.js';
import { KERNELS_WASM_BASE64 } from '../src/kernels-binary.js';
// @ts-expect-error plain JavaScript build helper
import { compileKernels } from '../scripts/compile.mjs';

function randomValues(random: SeededRandom, length: number): Float32Array {
  return Float32Array.from({ length }, () => random.normal());
}

describe('wasm kernels', () => {
  it('the committed binary is what kernels.wat compiles to (rerun `npm run kernels -w @graft/linalg` after editing it)', async () => {
    const source = readFileSync(join(import.meta.dirname, '..', 'src', 'kernels.wat'), 'utf8');
    const bytes = (await compileKernels(source)) as Uint8Array;
    expect(Buffer.from(bytes).toString('base64')).toBe(KERNELS_WASM_BASE64);
  });

  // Shapes with odd row counts, column counts that are not multiples of 4, padded widths.
  const shapes = [[1, 1, 1], [2, 4, 4], [3, 5, 7], [7, 3, 13], [16, 10, 768], [9, 6, 33], [5, 1, 4]] as const;

  it.each(shapes)('dot: %i picked rows × %i rows of %i values equals the plain product, with and without accumulation', (n, m, k) => {
    const random = new SeededRandom(n * 100 + m * 10 + k);
    const workspace = new Workspace();
    const aRows = n + 3;
    const aValues = randomValues(random, aRows * k);
    const bValues = randomValues(random, m * k);
    const a = workspace.matrixOf(aValues, aRows, k);
    const b = workspace.matrixOf(bValues, m, k);
    const picked = Int32Array.from({ length: n }, () => random.int(aRows));
    const rows = workspace.rowIndexOf(picked);
    const z = workspace.matrix(n, m);
    const start = randomValues(random, n * m);
    workspace.write(z, start);
    workspace.dot(a, rows, b, z, true);
    const accumulated = workspace.read(z, new Float64Array(n * m));
    workspace.dot(a, rows, b, z);
    const plain = workspace.read(z, new Float64Array(n * m));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let expected = 0;
        for (let t = 0; t < k; t++) expected += aValues[picked[i]! * k + t]! * bValues[j * k + t]!;
        expect(plain[i * m + j]).toBeCloseTo(expected, 4);
        expect(accumulated[i * m + j]).toBeCloseTo(expected + start[i * m + j]!, 4);
      }
    }
  });

  it.each(shapes)('axpy: %i output rows += coefficients × %i picked rows of %i values, both coefficient layouts', (p, q, k) => {
    const random = new SeededRandom(p * 100 + q * 10 + k + 7);
    const workspace = new Workspace();
    const sourceRows = q + 2;
    const sourceValues = randomValues(random, sourceRows * k);
    const source = workspace.matrixOf(sourceValues, sourceRows, k);
    const picked = Int32Array.from({ length: q }, () => random.int(sourceRows));
    const rows = workspace.rowIndexOf(picked);
    const coefficientValues = randomValues(random, p * q);
    const coefficients = workspace.matrixOf(coefficientValues, p * q, 1); // a flat float array (one value per padded row of 4)
    const flat = workspace.matrix(1, p * q);
    workspace.write(flat, coefficientValues);
    const startValues = randomValues(random, p * k);
    for (const layout of ['out-major', 'source-major'] as const) {
      const out = workspace.matrixOf(startValues, p, k);
      // out-major: c[p·q + q]; source-major: c[q·p + p] (the transpose, as the gradient of a weight matrix reads it).
      const stride = layout === 'out-major' ? { strideOut: q, strideSource: 1 } : { strideOut: 1, strideSource: p };
      const values = layout === 'out-major' ? coefficientValues : Float32Array.from({ length: p * q }, (_, i) => coefficientValues[(i % p) * q + Math.floor(i / p)]!);
      workspace.write(flat, values);
      workspace.axpy(out, { ptr: flat.ptr, ...stride }, source, rows);
      const result = workspace.read(out, new Float64Array(p * k));
      for (let i = 0; i < p; i++) {
        for (let t = 0; t < k; t++) {
          let expected = startValues[i * k + t]!;
          for (let j = 0; j < q; j++) expected += coefficientValues[i * q + j]! * sourceValues[picked[j]! * k + t]!;
          expect(result[i * k + t]).toBeCloseTo(expected, 4);
        }
      }
    }
    expect(coefficients.rows).toBe(p * q);
  });

  it('keeps padding columns at zero and grows memory for large matrices', () => {
    const workspace = new Workspace();
    const big = workspace.matrix(700, 1001);
    expect(big.ld).toBe(1004);
    expect(workspace.usedBytes).toBeGreaterThan(700 * 1004 * 4);
    const values = Float32Array.from({ length: 700 * 1001 }, (_, i) => (i % 7) - 3);
    workspace.write(big, values);
    const view = workspace.floats(big.ptr, big.rows * big.ld);
    for (let r = 0; r < big.rows; r += 99) for (let c = 1001; c < 1004; c++) expect(view[r * big.ld + c]).toBe(0);
    const back = workspace.read(big, new Float32Array(values.length));
    expect(back.every((value, i) => value === values[i])).toBe(true);
  });

  it('release frees what was allocated after a mark', () => {
    const workspace = new Workspace();
    workspace.matrix(10, 10);
    const mark = workspace.mark();
    workspace.matrix(100, 100);
    workspace.release(mark);
    expect(workspace.usedBytes).toBe(mark);
  });
});
