/** The function to minimise: writes ∇f(x) into `gradient` and returns f(x). */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when max |∇f| ≤ this. */
  readonly gradientTolerance: number;
  readonly maxIterations: number;
  /** Correction pairs kept (m). */
  readonly history?: number;
  /** Called after every iteration with the new point's value and the step length taken. */
  readonly onIteration?: (iteration: number, value: number, step: number, x: Float64Array) => void;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  /** max |∇f| at x. */
  readonly gradientNorm: number;
  readonly iterations: number;
  readonly evaluations: number;
  /** Why it stopped: the gradient tolerance was met, the iteration budget ran out, or no step decreased f any more (the working precision's floor). */
  readonly stop: 'converged' | 'max-iterations' | 'no-progress';
}

const dotProduct = (a: Float64Array, b: Float64Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
};
const maxAbs = (a: Float64Array) => {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
  return max;
};

/**
 * Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4) with a line search that satisfies the
 * strong Wolfe conditions (Algorithms 3.5/3.6, cubic interpolation). Deterministic: the same
 * objective and start give the same iterates. Starts from `start` (not modified).
 */
export function minimizeLbfgs(objective: Objective, start: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = start.length;
  const m = options.history ?? 10;
  const x = Float64Array.from(start);
  const gradient = new Float64Array(n);
  let evaluations = 1;
  let value = objective(x, gradient);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const direction = new Float64Array(n);
  const alpha = new Float64Array(m);
  const trial = new Float64Array(n);
  const trialGradient = new Float64Array(n);
  let iterations = 0;
  let stop: LbfgsResult['stop'] = 'max-iterations';
  if (!Number.isFinite(value)) throw new RangeError(`L-BFGS: the objective is ${value} at the start`);

  while (true) {
    if (maxAbs(gradient) <= options.gradientTolerance) {
      stop = 'converged';
      break;
    }
    if (iterations >= options.maxIterations) break;
    // Two-loop recursion: direction = −H·∇f.
    direction.set(gradient);
    for (let i = s.length - 1; i >= 0; i--) {
      alpha[i] = rho[i]! * dotProduct(s[i]!, direction);
      const yi = y[i]!;
      for (let k = 0; k < n; k++) direction[k]! -= alpha[i]! * yi[k]!;
    }
    const gamma = s.length > 0 ? dotProduct(s.at(-1)!, y.at(-1)!) / dotProduct(y.at(-1)!, y.at(-1)!) : 1 / Math.max(1e-300, Math.sqrt(dotProduct(gradient, gradient)));
    for (let k = 0; k < n; k++) direction[k]! *= gamma;
    for (let i = 0; i < s.length; i++) {
      const beta = rho[i]! * dotProduct(y[i]!, direction);
      const si = s[i]!;
      for (let k = 0; k < n; k++) direction[k]! += si[k]! * (alpha[i]! - beta);
    }
    for (let k = 0; k < n; k++) direction[k] = -direction[k]!;
    let slope = dotProduct(gradient, direction);
    if (!(slope < 0)) {
      // Not a descent direction (curvature information gone bad): restart from steepest descent.
      s.length = y.length = rho.length = 0;
      const norm = Math.sqrt(dotProduct(gradient, gradient));
      for (let k = 0; k < n; k++) direction[k] = -gradient[k]! / norm;
      slope = -norm;
    }
    const search = wolfeLineSearch(objective, x, value, gradient, direction, slope, trial, trialGradient);
    evaluations += search.evaluations;
    if (!search.found) {
      if (s.length > 0) {
        // Retry once from steepest descent before giving up.
        s.length = y.length = rho.length = 0;
        continue;
      }
      stop = 'no-progress';
      break;
    }
    const sNew = new Float64Array(n);
    const yNew = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      sNew[k] = trial[k]! - x[k]!;
      yNew[k] = trialGradient[k]! - gradient[k]!;
    }
    const curvature = dotProduct(sNew, yNew);
    x.set(trial);
    gradient.set(trialGradient);
    const previous = value;
    value = search.value;
    iterations++;
    options.onIteration?.(iterations, value, search.step, x);
    if (curvature > 1e-12 * dotProduct(yNew, yNew)) {
      if (s.length === m) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sNew);
      y.push(yNew);
      rho.push(1 / curvature);
    }
    if (!(previous - value > 0) && maxAbs(gradient) > options.gradientTolerance && s.length === 0) {
      stop = 'no-progress';
      break;
    }
  }
  return { x, value, gradientNorm: maxAbs(gradient), iterations, evaluations, stop };
}

interface SearchResult {
  readonly found: boolean;
  readonly step: number;
  readonly value: number;
  readonly evaluations: number;
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_EVALUATIONS = 25;
/**
 * Objective values within this fraction of f(x) count as equal: near the optimum the decrease a
 * step makes falls below the noise of a float32-computed objective, and the line search then
 * decides by the directional derivative (Hager & Zhang's approximate Wolfe conditions), which stays
 * accurate.
 */
const VALUE_NOISE = 1e-6;

/** Minimiser of the cubic through (a, fa, ga) and (b, fb, gb), kept inside [lo + 10 %, hi − 10 %] of the interval; bisection when the cubic has none. */
function cubicMinimizer(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const square = d1 * d1 - ga * gb;
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const margin = 0.1 * (hi - lo);
  if (square >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(square);
    const t = b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2 * d2));
    if (Number.isFinite(t)) return Math.min(hi - margin, Math.max(lo + margin, t));
  }
  return (lo + hi) / 2;
}

/**
 * A step t along `direction` with f(x + t·d) ≤ f(x) + c1·t·slope and |∇f(x + t·d)·d| ≤ c2·|slope|.
 * On success `trial` / `trialGradient` hold the new point and its gradient.
 */
function wolfeLineSearch(
  objective: Objective, x: Float64Array, value: number, gradient: Float64Array, direction: Float64Array, slope: number,
  trial: Float64Array, trialGradient: Float64Array,
): SearchResult {
  let evaluations = 0;
  const at = (t: number): { f: number; g: number } => {
    for (let k = 0; k < x.length; k++) trial[k] = x[k]! + t * direction[k]!;
    evaluations++;
    const f = objective(trial, trialGradient);
    return { f, g: dotProduct(trialGradient, direction) };
  };
  const ok = (t: number, f: number) => ({ found: true, step: t, value: f, evaluations });
  const noise = VALUE_NOISE * (Math.abs(value) + 1e-12);
  // Sufficient decrease, exactly (Armijo) or, within the objective's noise, by the slope there (approximate Wolfe).
  const decreases = (t: number, point: { f: number; g: number }) =>
    Number.isFinite(point.f) && (point.f <= value + C1 * t * slope || (point.f <= value + noise && point.g <= (2 * C1 - 1) * slope));
  // Is `a` a worse point than `b` along the line? By value; where values are within noise, `a` is past the minimum when the slope there rises.
  const worse = (a: { f: number; g: number }, b: { f: number; g: number }) => (Math.abs(a.f - b.f) > noise ? a.f > b.f : a.g > 0);
  let previousStep = 0;
  let previous = { f: value, g: slope };
  let step = 1;
  while (evaluations < MAX_EVALUATIONS) {
    const current = at(step);
    if (!decreases(step, current) || (evaluations > 1 && worse(current, previous))) {
      return zoom(previousStep, previous, step, current);
    }
    if (Math.abs(current.g) <= -C2 * slope) return ok(step, current.f);
    if (current.g >= 0) return zoom(step, current, previousStep, previous);
    previousStep = step;
    previous = current;
    step *= 2;
  }
  return { found: false, step: 0, value, evaluations };

  function zoom(lo: number, atLo: { f: number; g: number }, hi: number, atHi: { f: number; g: number }): SearchResult {
    while (evaluations < MAX_EVALUATIONS) {
      const t = Number.isFinite(atHi.f) ? cubicMinimizer(lo, atLo.f, atLo.g, hi, atHi.f, atHi.g) : (lo + hi) / 2;
      if (Math.abs(t - lo) <= 1e-12 * Math.max(1, Math.abs(lo))) break;
      const current = at(t);
      if (!decreases(t, current) || worse(current, atLo)) {
        hi = t;
        atHi = current;
      } else {
        if (Math.abs(current.g) <= -C2 * slope) return ok(t, current.f);
        if (current.g * (hi - lo) >= 0) {
          hi = lo;
          atHi = atLo;
        }
        lo = t;
        atLo = current;
      }
    }
    // No Wolfe point found: accept the best sufficient-decrease point seen, if any.
    if (lo > 0 && decreases(lo, atLo)) {
      const current = at(lo);
      return ok(lo, current.f);
    }
    return { found: false, step: 0, value, evaluations };
  }
}
