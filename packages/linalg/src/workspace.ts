import { KERNELS_WASM_BASE64 } from './kernels-binary.js';

const PAGE_BYTES = 65_536;
/** WebAssembly's 32-bit memories end at 4 GiB. */
const MAX_PAGES = 65_536;

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  dot(a: number, ai: number, n: number, lda: number, b: number, m: number, ldb: number, k: number, z: number, ldz: number, acc: number): void;
  axpy(out: number, np: number, ldo: number, c: number, cp: number, cq: number, s: number, si: number, nq: number, lds: number, k: number): void;
}

let compiled: WebAssembly.Module | undefined;
function kernelsModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  return compiled;
}

/** Floats in a row of a matrix with `cols` columns: rounded up to a multiple of 4 (one SIMD lane group). */
export function paddedWidth(cols: number): number {
  return Math.ceil(cols / 4) * 4;
}

/** A row-major float32 matrix in a workspace; rows are `ld` floats apart, columns past `cols` hold zeros. */
export interface Matrix {
  readonly ptr: number;
  readonly rows: number;
  readonly cols: number;
  readonly ld: number;
}

/** Row numbers (int32) in a workspace, used to pick rows of a matrix. */
export interface RowIndex {
  readonly ptr: number;
  readonly length: number;
}

/**
 * Coefficients of `axpy`: the coefficient of output row p and source row q is at
 * float offset p·strideOut + q·strideSource from ptr.
 */
export interface Coefficients {
  readonly ptr: number;
  readonly strideOut: number;
  readonly strideSource: number;
}

/**
 * Memory for Graft's float32 kernels (WebAssembly SIMD, see kernels.wat) and the kernels on it.
 * Allocation is a bump pointer; `mark` / `release` free everything allocated after a mark. Typed
 * array views from `floats` / `ints` are invalidated when memory grows (any later allocation):
 * take them right before use.
 */
export class Workspace {
  private readonly kernels: KernelExports;
  private top = 16;
  /** End of the memory ever handed out: past it, memory is still zero (as grown). */
  private highWater = 16;

  constructor() {
    this.kernels = new WebAssembly.Instance(kernelsModule()).exports as unknown as KernelExports;
  }

  /** Bytes in use. */
  get usedBytes(): number {
    return this.top;
  }

  private allocate(bytes: number): number {
    const ptr = this.top;
    const end = ptr + Math.ceil(bytes / 16) * 16;
    const memory = this.kernels.memory;
    if (end > memory.buffer.byteLength) {
      const pages = Math.ceil((end - memory.buffer.byteLength) / PAGE_BYTES);
      if (memory.buffer.byteLength / PAGE_BYTES + pages > MAX_PAGES) {
        throw new RangeError(`the data needs ${(end / 2 ** 30).toFixed(1)} GiB of kernel memory, more than WebAssembly's 4 GiB: use fewer images or a smaller feature layer`);
      }
      memory.grow(pages);
    }
    // Memory past the high-water mark is fresh (zero); below it, it may hold released data.
    if (ptr < this.highWater) new Uint8Array(memory.buffer, ptr, Math.min(end, this.highWater) - ptr).fill(0);
    this.top = end;
    this.highWater = Math.max(this.highWater, end);
    return ptr;
  }

  /** A zero-filled matrix. */
  matrix(rows: number, cols: number): Matrix {
    const ld = paddedWidth(cols);
    return { ptr: this.allocate(Math.max(1, rows) * ld * 4), rows, cols, ld };
  }

  /** A matrix holding `values` (rows × cols, row-major; any numeric array). */
  matrixOf(values: ArrayLike<number>, rows: number, cols: number): Matrix {
    const matrix = this.matrix(rows, cols);
    this.write(matrix, values);
    return matrix;
  }

  /** Overwrite a matrix's values from a dense row-major array (rows × cols). */
  write(matrix: Matrix, values: ArrayLike<number>): void {
    const view = this.floats(matrix.ptr, matrix.rows * matrix.ld);
    if (matrix.ld === matrix.cols && values instanceof Float32Array) {
      view.set(values.subarray(0, matrix.rows * matrix.cols));
      return;
    }
    for (let r = 0; r < matrix.rows; r++) {
      const from = r * matrix.cols;
      const to = r * matrix.ld;
      for (let c = 0; c < matrix.cols; c++) view[to + c] = values[from + c]!;
    }
  }

  /** A matrix's values as a dense row-major array (rows × cols), into `target` when given. */
  read<T extends Float32Array | Float64Array>(matrix: Matrix, target: T): T {
    const view = this.floats(matrix.ptr, matrix.rows * matrix.ld);
    for (let r = 0; r < matrix.rows; r++) {
      const from = r * matrix.ld;
      const to = r * matrix.cols;
      for (let c = 0; c < matrix.cols; c++) target[to + c] = view[from + c]!;
    }
    return target;
  }

  /** Room for `length` row numbers. */
  rowIndex(length: number): RowIndex {
    return { ptr: this.allocate(Math.max(1, length) * 4), length };
  }

  /** Row numbers `rows` (each < the row count of the matrix they will index). */
  rowIndexOf(rows: ArrayLike<number>): RowIndex {
    const index = this.rowIndex(rows.length);
    this.ints(index.ptr, rows.length).set(rows);
    return index;
  }

  /** 0, 1, …, length − 1. */
  identity(length: number): RowIndex {
    return this.rowIndexOf(Int32Array.from({ length }, (_, i) => i));
  }

  /** A float32 view of workspace memory (invalidated by the next allocation that grows memory). */
  floats(ptr: number, length: number): Float32Array {
    return new Float32Array(this.kernels.memory.buffer, ptr, length);
  }

  /** An int32 view of workspace memory (invalidated by the next allocation that grows memory). */
  ints(ptr: number, length: number): Int32Array {
    return new Int32Array(this.kernels.memory.buffer, ptr, length);
  }

  /** The allocation point, to `release` back to. */
  mark(): number {
    return this.top;
  }

  /** Free everything allocated after `mark` (memory stays reserved for reuse). */
  release(mark: number): void {
    this.top = mark;
  }

  /**
   * z[i][j] = (accumulate ? z[i][j] : 0) + a[rows[i]] · b[j]   for i < rows.length, j < b.rows:
   * products of rows of `a` (picked by `rows`) with every row of `b` (`z` is rows.length × b.rows).
   */
  dot(a: Matrix, rows: RowIndex, b: Matrix, z: Matrix, accumulate = false): void {
    if (a.ld !== b.ld) throw new RangeError(`dot: rows of ${a.cols} and ${b.cols} values`);
    if (z.rows < rows.length || z.cols < b.rows) throw new RangeError(`dot: output ${z.rows}×${z.cols} is smaller than ${rows.length}×${b.rows}`);
    if (rows.length === 0 || b.rows === 0) return;
    this.kernels.dot(a.ptr, rows.ptr, rows.length, a.ld, b.ptr, b.rows, b.ld, a.ld, z.ptr, z.ld, accumulate ? 1 : 0);
  }

  /**
   * out[p] += Σ_q coefficient(p, q) · source[rows[q]]   for p < out.rows: every output row gains a
   * weighted sum of the picked source rows (a matrix product with the coefficients given by strides).
   */
  axpy(out: Matrix, coefficients: Coefficients, source: Matrix, rows: RowIndex): void {
    if (out.ld !== source.ld) throw new RangeError(`axpy: rows of ${out.cols} and ${source.cols} values`);
    if (rows.length === 0 || out.rows === 0) return;
    this.kernels.axpy(out.ptr, out.rows, out.ld, coefficients.ptr, coefficients.strideOut, coefficients.strideSource, source.ptr, rows.ptr, rows.length, source.ld, out.ld);
  }
}
