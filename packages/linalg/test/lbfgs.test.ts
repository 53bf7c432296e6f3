import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from '../src/lbfgs.js';

describe('minimizeLbfgs', () => {
  it('finds the minimum of an ill-conditioned quadratic to the gradient tolerance, in as many iterations as SciPy', () => {
    // f(x) = ½ Σ c_i (x_i − i)², condition number 1e4: SciPy's L-BFGS-B (m = 10) needs 1022 iterations for max |∇f| ≤ 1e-8.
    const n = 50;
    const curvature = Float64Array.from({ length: n }, (_, i) => 10 ** ((4 * i) / (n - 1)));
    const result = minimizeLbfgs((x, g) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        const d = x[i]! - i;
        f += 0.5 * curvature[i]! * d * d;
        g[i] = curvature[i]! * d;
      }
      return f;
    }, new Float64Array(n), { gradientTolerance: 1e-8, maxIterations: 3000 });
    expect(result.stop).toBe('converged');
    expect(result.iterations).toBeLessThan(1100);
    expect(result.gradientNorm).toBeLessThanOrEqual(1e-8);
    for (let i = 0; i < n; i++) expect(result.x[i]).toBeCloseTo(i, 8);
  });

  it('minimises the Rosenbrock function from (−1.2, 1)', () => {
    const result = minimizeLbfgs((x, g) => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    }, Float64Array.from([-1.2, 1]), { gradientTolerance: 1e-9, maxIterations: 200 });
    expect(result.stop).toBe('converged');
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.iterations).toBeLessThan(100);
  });

  it('stops at the iteration budget and reports it', () => {
    const result = minimizeLbfgs((x, g) => {
      g[0] = -2 * (1 - x[0]!) - 400 * x[0]! * (x[1]! - x[0]! ** 2);
      g[1] = 200 * (x[1]! - x[0]! ** 2);
      return (1 - x[0]!) ** 2 + 100 * (x[1]! - x[0]! ** 2) ** 2;
    }, Float64Array.from([-1.2, 1]), { gradientTolerance: 1e-12, maxIterations: 3 });
    expect(result.stop).toBe('max-iterations');
    expect(result.iterations).toBe(3);
  });

  it('is deterministic and does not modify the start', () => {
    const start = Float64Array.from([3, -4]);
    const f = (x: Float64Array, g: Float64Array) => {
      g[0] = 4 * x[0]! ** 3;
      g[1] = 2 * x[1]!;
      return x[0]! ** 4 + x[1]! ** 2;
    };
    const [a, b] = [minimizeLbfgs(f, start, { gradientTolerance: 1e-10, maxIterations: 100 }), minimizeLbfgs(f, start, { gradientTolerance: 1e-10, maxIterations: 100 })];
    expect(a.x).toEqual(b.x);
    expect(a.iterations).toBe(b.iterations);
    expect(Array.from(start)).toEqual([3, -4]);
  });
});
