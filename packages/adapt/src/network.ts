import { SeededRandom } from '@graft/core';
import { tf } from '@graft/tf';

export interface NetworkShape {
  readonly inputDim: number;
  /** Units of the adaptation layer (dense + ReLU); 0 = none: the classifier reads the features directly. */
  readonly adaptationUnits: number;
  readonly classCount: number;
  /** Hidden units of the domain discriminator (DANN, CDAN); 0 = no discriminator. */
  readonly discriminatorUnits: number;
  /** Input of the discriminator: the aligned representation (DANN) or its outer product with the class probabilities (CDAN). */
  readonly discriminatorInput: 'representation' | 'conditional';
}

/** A trainable variable initialised from `initial` (the initial tensor is freed). */
function variable(initial: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(initial(), true));
}

/** Glorot-uniform weights, seeded. */
function glorot(random: SeededRandom, fanIn: number, fanOut: number): tf.Tensor2D {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.tensor2d(Float32Array.from({ length: fanIn * fanOut }, () => (2 * random.next() - 1) * limit), [fanIn, fanOut]);
}

/**
 * The network trained by the adapt stage: fixed input scaling (source statistics) → optional
 * adaptation layer (dense + ReLU) → linear classifier; plus a domain discriminator (dense + ReLU →
 * one logit) for adversarial methods. Adaptation losses act on the "aligned" layer: the adaptation
 * layer's output, or the logits when there is no adaptation layer.
 */
export class AdaptationNetwork {
  readonly classifierVariables: tf.Variable[];
  readonly discriminatorVariables: tf.Variable[];
  private readonly mean: tf.Tensor1D;
  private readonly inverseStd: tf.Tensor1D;

  constructor(
    readonly shape: NetworkShape,
    scaling: { mean: Float32Array; inverseStd: Float32Array },
    seed: number,
  ) {
    const random = new SeededRandom(seed);
    const { inputDim, adaptationUnits, classCount, discriminatorUnits } = shape;
    this.mean = tf.tensor1d(scaling.mean);
    this.inverseStd = tf.tensor1d(scaling.inverseStd);
    const classifierInput = adaptationUnits > 0 ? adaptationUnits : inputDim;
    this.classifierVariables = [
      ...(adaptationUnits > 0 ? [variable(() => glorot(random, inputDim, adaptationUnits)), variable(() => tf.zeros([adaptationUnits]))] : []),
      variable(() => glorot(random, classifierInput, classCount)),
      variable(() => tf.zeros([classCount])),
    ];
    const alignedDim = adaptationUnits > 0 ? adaptationUnits : classCount;
    const discriminatorInput = shape.discriminatorInput === 'conditional' ? alignedDim * classCount : alignedDim;
    this.discriminatorVariables = discriminatorUnits > 0
      ? [
          variable(() => glorot(random, discriminatorInput, discriminatorUnits)),
          variable(() => tf.zeros([discriminatorUnits])),
          variable(() => glorot(random, discriminatorUnits, 1)),
          variable(() => tf.zeros([1])),
        ]
      : [];
  }

  /**
   * Features → { aligned layer, logits }. `dropoutMask` (training only: 0 or 1/keep per unit of the
   * adaptation layer, drawn by the caller from a seeded generator) applies to the classifier's input,
   * not to the aligned layer the adaptation losses see.
   */
  forward(features: tf.Tensor2D, dropoutMask?: tf.Tensor2D): { aligned: tf.Tensor2D; logits: tf.Tensor2D } {
    const scaled = tf.mul(tf.sub(features, this.mean), this.inverseStd) as tf.Tensor2D;
    const v = this.classifierVariables;
    if (this.shape.adaptationUnits > 0) {
      const hidden = tf.relu(tf.add(tf.matMul(scaled, v[0]!), v[1]!)) as tf.Tensor2D;
      const classifierInput = dropoutMask ? (tf.mul(hidden, dropoutMask) as tf.Tensor2D) : hidden;
      return { aligned: hidden, logits: tf.add(tf.matMul(classifierInput, v[2]!), v[3]!) as tf.Tensor2D };
    }
    const logits = tf.add(tf.matMul(scaled, v[0]!), v[1]!) as tf.Tensor2D;
    return { aligned: logits, logits };
  }

  /** Sum of squared kernel weights (for weight decay). */
  kernelSquares(): tf.Scalar {
    const kernels = [...this.classifierVariables, ...this.discriminatorVariables].filter((v) => v.shape.length === 2);
    return tf.addN(kernels.map((k) => tf.sum(tf.square(k)))) as tf.Scalar;
  }

  /** Domain logit (source = 1) of discriminator inputs. */
  discriminate(input: tf.Tensor2D): tf.Tensor2D {
    const [w1, b1, w2, b2] = this.discriminatorVariables;
    return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(input, w1!), b1!)), w2!), b2!) as tf.Tensor2D;
  }

  /** Copies of the classifier weights (for keeping the selected checkpoint). */
  snapshot(): Float32Array[] {
    return this.classifierVariables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  restore(weights: readonly Float32Array[]): void {
    tf.tidy(() => this.classifierVariables.forEach((v, i) => v.assign(tf.tensor(weights[i]!, v.shape))));
  }

  /** Class probabilities and aligned-layer values of row-major features, in chunks. */
  infer(features: Float32Array, count: number, chunkRows = 2048): { probabilities: Float32Array; aligned: Float32Array; alignedDim: number } {
    const { inputDim, classCount, adaptationUnits } = this.shape;
    const alignedDim = adaptationUnits > 0 ? adaptationUnits : classCount;
    const probabilities = new Float32Array(count * classCount);
    const aligned = new Float32Array(count * alignedDim);
    for (let start = 0; start < count; start += chunkRows) {
      const end = Math.min(count, start + chunkRows);
      const [p, a] = tf.tidy(() => {
        const out = this.forward(tf.tensor2d(features.subarray(start * inputDim, end * inputDim), [end - start, inputDim]));
        return [tf.softmax(out.logits), out.aligned];
      });
      probabilities.set(p!.dataSync() as Float32Array, start * classCount);
      aligned.set(a!.dataSync() as Float32Array, start * alignedDim);
      tf.dispose([p!, a!]);
    }
    return { probabilities, aligned, alignedDim };
  }

  dispose(): void {
    tf.dispose([this.mean, this.inverseStd, ...this.classifierVariables, ...this.discriminatorVariables]);
  }
}
