import type { Matrix, RowIndex, Workspace } from '@graft/linalg';
import type { HiddenActivation } from './head.js';

/** Layers of a head: features → [hidden dense + activation →] softmax layer. */
export interface HeadShape {
  readonly featureDim: number;
  /** 0 = no hidden layer. */
  readonly hiddenUnits: number;
  readonly activation: HiddenActivation;
  readonly classCount: number;
}

/**
 * Where each block of a head's parameter vector starts. Weights are stored units × inputs
 * (row u = the weights of unit u), then biases: [first kernel, first bias, (output kernel, output bias)].
 * The first layer is the hidden layer when there is one, else the softmax layer.
 */
export interface ParameterLayout {
  readonly firstUnits: number;
  readonly firstBias: number;
  /** −1 without a hidden layer. */
  readonly outputKernel: number;
  readonly outputBias: number;
  readonly size: number;
}

export function parameterLayout(shape: HeadShape): ParameterLayout {
  const { featureDim, hiddenUnits, classCount } = shape;
  const firstUnits = hiddenUnits > 0 ? hiddenUnits : classCount;
  const firstBias = firstUnits * featureDim;
  if (hiddenUnits === 0) return { firstUnits, firstBias, outputKernel: -1, outputBias: firstBias, size: firstBias + firstUnits };
  const outputKernel = firstBias + hiddenUnits;
  const outputBias = outputKernel + classCount * hiddenUnits;
  return { firstUnits, firstBias, outputKernel, outputBias, size: outputBias + classCount };
}

/**
 * How the head sees a feature row x stored (centred) in the workspace: (x − shift) ⊙ inverseScale.
 * Standardisation is such a map, and so are raw features (shift = −centre, scale 1). It is folded
 * into the first layer's weights, so the stored features are never rewritten.
 */
export interface InputMap {
  readonly shift: Float64Array;
  readonly inverseScale: Float64Array;
}

/** The loss's settings, fixed for a fit. */
export interface LossSettings {
  /** × Σ w² over the kernels (not biases) added to the mean loss. */
  readonly l2: number;
  readonly labelSmoothing: number;
  /** Loss weight per class (all 1 for none). */
  readonly classWeights: Float32Array;
}

export interface Evaluation {
  /** Mean weighted cross-entropy plus the L2 penalty. */
  readonly loss: number;
  /** Rows whose largest logit is their label. */
  readonly correct: number;
}

interface Activation {
  forward(z: number): number;
  /** d activation / dz from the input z and the output a. */
  derivative(z: number, a: number): number;
}
const ACTIVATIONS: Record<HiddenActivation, Activation> = {
  relu: { forward: (z) => (z > 0 ? z : 0), derivative: (z) => (z > 0 ? 1 : 0) },
  elu: { forward: (z) => (z > 0 ? z : Math.expm1(z)), derivative: (z, a) => (z > 0 ? 1 : a + 1) },
  tanh: { forward: Math.tanh, derivative: (_, a) => 1 - a * a },
  sigmoid: { forward: (z) => 1 / (1 + Math.exp(-z)), derivative: (_, a) => a * (1 - a) },
};

/**
 * A head's forward and backward pass on rows of a feature matrix held in a workspace: the matrix
 * products run in the SIMD kernels (float32), everything per row (softmax, cross-entropy,
 * activations, the gradient's unfolding) in double precision. One instance serves every fit on the
 * same features: full-batch L-BFGS, mini-batch steps, cross-validation folds (each with its own
 * input map).
 */
export class HeadNetwork {
  readonly layout: ParameterLayout;
  private readonly first: Matrix;
  private readonly firstGradient: Matrix;
  private readonly output: Matrix | undefined;
  private readonly outputGradient: Matrix | undefined;
  /** Hidden pre-activations, then activations (rows × hidden units). */
  private readonly preActivation: Matrix | undefined;
  private readonly hidden: Matrix | undefined;
  private readonly hiddenDelta: Matrix | undefined;
  /** Mapped and masked input rows, for dropout on the features of a head without hidden layer. */
  private inputBatch: Matrix | undefined;
  private readonly logits: Matrix;
  private readonly delta: Matrix;
  private readonly rowIndex: RowIndex;
  private readonly identityRows: RowIndex;
  private readonly firstBias: Float64Array;
  private readonly firstBiasGradient: Float64Array;
  private map: InputMap;
  private readonly activation: Activation;

  constructor(
    private readonly workspace: Workspace,
    /** Feature rows (centred), shared by every fit. */
    private readonly features: Matrix,
    /** Label of every row of `features`. */
    private readonly labels: Int32Array,
    readonly shape: HeadShape,
    /** Most rows one call handles. */
    readonly maxRows: number,
  ) {
    const { featureDim, hiddenUnits, classCount } = shape;
    this.layout = parameterLayout(shape);
    this.first = workspace.matrix(this.layout.firstUnits, featureDim);
    this.firstGradient = workspace.matrix(this.layout.firstUnits, featureDim);
    if (hiddenUnits > 0) {
      this.output = workspace.matrix(classCount, hiddenUnits);
      this.outputGradient = workspace.matrix(classCount, hiddenUnits);
      this.preActivation = workspace.matrix(maxRows, hiddenUnits);
      this.hidden = workspace.matrix(maxRows, hiddenUnits);
      this.hiddenDelta = workspace.matrix(maxRows, hiddenUnits);
    }
    this.logits = workspace.matrix(maxRows, classCount);
    this.delta = workspace.matrix(maxRows, classCount);
    this.rowIndex = workspace.rowIndex(maxRows);
    this.identityRows = workspace.identity(maxRows);
    this.firstBias = new Float64Array(this.layout.firstUnits);
    this.firstBiasGradient = new Float64Array(this.layout.firstUnits);
    this.map = { shift: new Float64Array(featureDim), inverseScale: new Float64Array(featureDim).fill(1) };
    this.activation = ACTIVATIONS[shape.activation];
  }

  /** Set how rows are transformed before the first layer (e.g. a fold's standardisation). */
  setInputMap(map: InputMap): void {
    this.map = map;
  }

  /**
   * Loss (and, with `gradient`, its gradient for `theta`) over `rows` of the features.
   * `dropoutMask` (mini-batch training only: 0 or 1/keep per row and softmax-layer input) multiplies
   * the softmax layer's input: the hidden activations, or the mapped features.
   */
  evaluate(theta: Float64Array, rows: Int32Array, loss: LossSettings, gradient?: Float64Array, dropoutMask?: Float32Array): Evaluation {
    const n = rows.length;
    const masked = dropoutMask !== undefined && !this.hidden;
    this.forward(theta, rows, dropoutMask);
    const { classCount } = this.shape;
    const logits = this.workspace.floats(this.logits.ptr, n * this.logits.ld);
    const delta = this.workspace.floats(this.delta.ptr, n * this.delta.ld);
    const smoothing = loss.labelSmoothing;
    const probabilities = new Float64Array(classCount);
    let total = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const at = i * this.logits.ld;
      const label = this.labels[rows[i]!]!;
      let max = -Infinity;
      let best = 0;
      for (let c = 0; c < classCount; c++) {
        if (logits[at + c]! > max) [max, best] = [logits[at + c]!, c];
      }
      if (best === label) correct++;
      let sum = 0;
      for (let c = 0; c < classCount; c++) sum += probabilities[c] = Math.exp(logits[at + c]! - max);
      const logSum = Math.log(sum);
      const weight = loss.classWeights[label]!;
      let crossEntropy = 0;
      for (let c = 0; c < classCount; c++) {
        const target = (c === label ? 1 - smoothing : 0) + smoothing / classCount;
        crossEntropy -= target * (logits[at + c]! - max - logSum);
        delta[i * this.delta.ld + c] = (weight * (probabilities[c]! / sum - target)) / n;
      }
      total += weight * crossEntropy;
    }
    let value = total / n;
    if (loss.l2 > 0) value += loss.l2 * this.kernelSquares(theta);
    if (gradient) this.backward(theta, rows, loss.l2, gradient, masked ? dropoutMask : undefined, dropoutMask);
    return { loss: value, correct };
  }

  /** Class probabilities of `rows` (rows.length × classCount, row-major), in chunks of maxRows. */
  probabilities(theta: Float64Array, rows: Int32Array): Float64Array {
    const { classCount } = this.shape;
    const out = new Float64Array(rows.length * classCount);
    for (let start = 0; start < rows.length; start += this.maxRows) {
      const chunk = rows.subarray(start, Math.min(rows.length, start + this.maxRows));
      this.forward(theta, chunk);
      const logits = this.workspace.floats(this.logits.ptr, chunk.length * this.logits.ld);
      for (let i = 0; i < chunk.length; i++) {
        const at = i * this.logits.ld;
        let max = -Infinity;
        for (let c = 0; c < classCount; c++) max = Math.max(max, logits[at + c]!);
        let sum = 0;
        for (let c = 0; c < classCount; c++) sum += out[(start + i) * classCount + c] = Math.exp(logits[at + c]! - max);
        for (let c = 0; c < classCount; c++) out[(start + i) * classCount + c]! /= sum;
      }
    }
    return out;
  }

  private kernelSquares(theta: Float64Array): number {
    const { firstBias, outputKernel, outputBias } = this.layout;
    let sum = 0;
    for (let i = 0; i < firstBias; i++) sum += theta[i]! * theta[i]!;
    if (outputKernel >= 0) for (let i = outputKernel; i < outputBias; i++) sum += theta[i]! * theta[i]!;
    return sum;
  }

  /** Put row numbers into the kernels' row index. */
  private pick(rows: Int32Array): RowIndex {
    if (rows.length > this.maxRows) throw new RangeError(`HeadNetwork: ${rows.length} rows, at most ${this.maxRows}`);
    this.workspace.ints(this.rowIndex.ptr, rows.length).set(rows);
    return { ptr: this.rowIndex.ptr, length: rows.length };
  }

  private firstRows(n: number): RowIndex {
    return { ptr: this.identityRows.ptr, length: n };
  }

  /**
   * Load the first layer's weights: with `fold`, the input map folded in (w ⊙ inverseScale, bias
   * − Σ w ⊙ inverseScale ⊙ shift) so they apply to the stored rows; without, as they are.
   */
  private loadFirstLayer(theta: Float64Array, fold: boolean): void {
    const { featureDim } = this.shape;
    const { firstUnits, firstBias } = this.layout;
    const { shift, inverseScale } = this.map;
    const ld = this.first.ld;
    const first = this.workspace.floats(this.first.ptr, firstUnits * ld);
    for (let u = 0; u < firstUnits; u++) {
      let bias = theta[firstBias + u]!;
      const row = u * featureDim;
      for (let d = 0; d < featureDim; d++) {
        const w = fold ? theta[row + d]! * inverseScale[d]! : theta[row + d]!;
        first[u * ld + d] = w;
        if (fold) bias -= w * shift[d]!;
      }
      this.firstBias[u] = bias;
    }
  }

  /** The mapped features of `rows` times the dropout mask, into the input batch matrix. */
  private writeInputBatch(rows: Int32Array, mask: Float32Array): void {
    const { featureDim } = this.shape;
    this.inputBatch ??= this.workspace.matrix(this.maxRows, featureDim);
    const { shift, inverseScale } = this.map;
    const stored = this.workspace.floats(this.features.ptr, this.features.rows * this.features.ld);
    const batch = this.workspace.floats(this.inputBatch.ptr, rows.length * this.inputBatch.ld);
    for (let i = 0; i < rows.length; i++) {
      const from = rows[i]! * this.features.ld;
      for (let d = 0; d < featureDim; d++) batch[i * this.inputBatch.ld + d] = (stored[from + d]! - shift[d]!) * inverseScale[d]! * mask[i * featureDim + d]!;
    }
  }

  /** Logits of `rows` into the logits matrix. */
  private forward(theta: Float64Array, rows: Int32Array, dropoutMask?: Float32Array): void {
    const n = rows.length;
    const { hiddenUnits, classCount } = this.shape;
    if (!this.hidden) {
      if (dropoutMask) {
        this.writeInputBatch(rows, dropoutMask);
        this.loadFirstLayer(theta, false);
        this.workspace.dot(this.inputBatch!, this.firstRows(n), this.first, this.logits);
      } else {
        this.loadFirstLayer(theta, true);
        this.workspace.dot(this.features, this.pick(rows), this.first, this.logits);
      }
      const logits = this.workspace.floats(this.logits.ptr, n * this.logits.ld);
      for (let i = 0; i < n; i++) for (let c = 0; c < classCount; c++) logits[i * this.logits.ld + c]! += this.firstBias[c]!;
      return;
    }
    this.loadFirstLayer(theta, true);
    this.workspace.dot(this.features, this.pick(rows), this.first, this.preActivation!);
    const pre = this.workspace.floats(this.preActivation!.ptr, n * this.preActivation!.ld);
    const hidden = this.workspace.floats(this.hidden.ptr, n * this.hidden.ld);
    for (let i = 0; i < n; i++) {
      for (let h = 0; h < hiddenUnits; h++) {
        const at = i * this.hidden.ld + h;
        pre[at] = pre[at]! + this.firstBias[h]!;
        hidden[at] = this.activation.forward(pre[at]!) * (dropoutMask ? dropoutMask[i * hiddenUnits + h]! : 1);
      }
    }
    const output = this.workspace.floats(this.output!.ptr, classCount * this.output!.ld);
    for (let c = 0; c < classCount; c++) for (let h = 0; h < hiddenUnits; h++) output[c * this.output!.ld + h] = theta[this.layout.outputKernel + c * hiddenUnits + h]!;
    this.workspace.dot(this.hidden, this.firstRows(n), this.output!, this.logits);
    const logits = this.workspace.floats(this.logits.ptr, n * this.logits.ld);
    for (let i = 0; i < n; i++) for (let c = 0; c < classCount; c++) logits[i * this.logits.ld + c]! += theta[this.layout.outputBias + c]!;
  }

  /**
   * Gradient of the loss for `theta` from the deltas (∂loss/∂logits) left by `evaluate`.
   * `inputMask`: the features were masked (dropout, no hidden layer): the first layer saw the input
   * batch, not the folded stored rows.
   */
  private backward(theta: Float64Array, rows: Int32Array, l2: number, gradient: Float64Array, inputMask: Float32Array | undefined, hiddenMask: Float32Array | undefined): void {
    const n = rows.length;
    const { featureDim, hiddenUnits, classCount } = this.shape;
    const { firstUnits, firstBias, outputKernel, outputBias } = this.layout;
    const delta = this.workspace.floats(this.delta.ptr, n * this.delta.ld);
    // ∂loss/∂(first layer's outputs), rows × firstUnits: the deltas, or back through the softmax layer and the activation.
    let firstDelta = this.delta;
    if (this.hidden) {
      const outputGradient = this.workspace.floats(this.outputGradient!.ptr, classCount * this.outputGradient!.ld);
      outputGradient.fill(0);
      this.workspace.axpy(this.outputGradient!, { ptr: this.delta.ptr, strideOut: 1, strideSource: this.delta.ld }, this.hidden, this.firstRows(n));
      for (let c = 0; c < classCount; c++) {
        let bias = 0;
        for (let i = 0; i < n; i++) bias += delta[i * this.delta.ld + c]!;
        gradient[outputBias + c] = bias;
        for (let h = 0; h < hiddenUnits; h++) gradient[outputKernel + c * hiddenUnits + h] = outputGradient[c * this.outputGradient!.ld + h]! + 2 * l2 * theta[outputKernel + c * hiddenUnits + h]!;
      }
      const hiddenDelta = this.workspace.floats(this.hiddenDelta!.ptr, n * this.hiddenDelta!.ld);
      hiddenDelta.fill(0);
      this.workspace.axpy(this.hiddenDelta!, { ptr: this.delta.ptr, strideOut: this.delta.ld, strideSource: 1 }, this.output!, { ptr: this.identityRows.ptr, length: classCount });
      const pre = this.workspace.floats(this.preActivation!.ptr, n * this.preActivation!.ld);
      const hidden = this.workspace.floats(this.hidden.ptr, n * this.hidden.ld);
      for (let i = 0; i < n; i++) {
        for (let h = 0; h < hiddenUnits; h++) {
          const at = i * this.hidden.ld + h;
          const keep = hiddenMask ? hiddenMask[i * hiddenUnits + h]! : 1;
          // hidden holds activation × keep; the activation's own value is hidden / keep (0 where dropped, where the delta is 0 anyway).
          const a = keep > 0 ? hidden[at]! / keep : 0;
          hiddenDelta[at] = hiddenDelta[at]! * keep * this.activation.derivative(pre[at]!, a);
        }
      }
      firstDelta = this.hiddenDelta!;
    }
    const firstDeltas = this.workspace.floats(firstDelta.ptr, n * firstDelta.ld);
    for (let u = 0; u < firstUnits; u++) {
      let bias = 0;
      for (let i = 0; i < n; i++) bias += firstDeltas[i * firstDelta.ld + u]!;
      this.firstBiasGradient[u] = bias;
      gradient[firstBias + u] = bias;
    }
    const firstGradient = this.workspace.floats(this.firstGradient.ptr, firstUnits * this.firstGradient.ld);
    firstGradient.fill(0);
    const coefficients = { ptr: firstDelta.ptr, strideOut: 1, strideSource: firstDelta.ld };
    if (inputMask) {
      this.workspace.axpy(this.firstGradient, coefficients, this.inputBatch!, this.firstRows(n));
    } else {
      this.workspace.axpy(this.firstGradient, coefficients, this.features, this.pick(rows));
    }
    const ld = this.firstGradient.ld;
    const { shift, inverseScale } = this.map;
    for (let u = 0; u < firstUnits; u++) {
      const s = this.firstBiasGradient[u]!;
      const row = u * featureDim;
      for (let d = 0; d < featureDim; d++) {
        // Unfold: ∂/∂w of (x − shift) ⊙ inverseScale · w = (Σ δ·x − Σδ · shift) ⊙ inverseScale.
        const raw = firstGradient[u * ld + d]!;
        gradient[row + d] = (inputMask ? raw : (raw - s * shift[d]!) * inverseScale[d]!) + 2 * l2 * theta[row + d]!;
      }
    }
  }
}
