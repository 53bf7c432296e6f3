import { tf } from '@graft/tf';

/**
 * A BatchNormalization layer frozen into its affine map, x · a + b with a = γ / √(σ² + ε) and
 * b = β − μ · a, the same values as the layer in inference mode. Fine-tuning trains through these
 * instead of the BatchNormalization layers themselves: tfjs' FusedBatchNorm gradient tiles
 * 1/√(σ² + ε) to the activation's full size (slow on wasm) and fails on layers without γ
 * (InceptionV3's `scale: false`).
 */
export class FrozenBatchNormalization extends tf.layers.Layer {
  static readonly className = 'GraftFrozenBatchNormalization';
  private readonly scale: tf.Tensor1D;
  private readonly shift: tf.Tensor1D;

  constructor(batchNorm: tf.layers.Layer) {
    super({ name: `${batchNorm.name}_frozen`, trainable: false });
    const config = batchNorm.getConfig() as { scale?: boolean; center?: boolean; epsilon?: number; axis?: number | number[] };
    const weights = batchNorm.getWeights();
    const take = (present: boolean | undefined) => (present === false ? undefined : weights.shift());
    const gamma = take(config.scale);
    const beta = take(config.center);
    const [mean, variance] = weights as [tf.Tensor, tf.Tensor];
    [this.scale, this.shift] = tf.tidy(() => {
      const inverseStd = tf.rsqrt(tf.add(variance, config.epsilon ?? 1e-3));
      const a = gamma ? tf.mul(gamma, inverseStd) : inverseStd;
      const b = tf.sub(beta ?? tf.zerosLike(mean), tf.mul(mean, a));
      return [tf.keep(a as tf.Tensor1D), tf.keep(b as tf.Tensor1D)];
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.add(tf.mul(x, this.scale), this.shift);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    tf.dispose([this.scale, this.shift]);
    return super.dispose();
  }
}
