import type { Layer } from './layer-graph.js';

export interface WeightValue {
  shape: number[];
  values: Float32Array;
}

/**
 * A layer's weights by short name ('kernel', 'bias', 'gamma', 'moving_mean', ...), read with
 * `layer.getWeights()` (which returns them in the order of `layer.weights`).
 */
export class LayerWeights {
  private readonly byName = new Map<string, WeightValue>();

  constructor(private readonly layer: Layer) {
    const variables = layer.weights;
    const tensors = layer.getWeights();
    if (variables.length !== tensors.length) throw new Error(`layer ${layer.name}: ${variables.length} weight variables but ${tensors.length} weight values`);
    variables.forEach((variable, index) => {
      const tensor = tensors[index]!;
      if (tensor.dtype !== 'float32') throw new Error(`layer ${layer.name}: weight ${variable.name} is ${tensor.dtype}, not float32`);
      // The tensors returned are the layer's own variables: read, never dispose.
      const values = tensor.dataSync() as Float32Array;
      const short = variable.name.slice(variable.name.lastIndexOf('/') + 1);
      this.byName.set(short, { shape: [...tensor.shape], values: new Float32Array(values) });
    });
  }

  /** The weight named `name` (tolerating a uniquifying `_N` suffix), or undefined. */
  get(name: string): WeightValue | undefined {
    const exact = this.byName.get(name);
    if (exact) return exact;
    for (const [short, value] of this.byName) if (short.replace(/_\d+$/, '') === name) return value;
    return undefined;
  }

  require(name: string): WeightValue {
    const value = this.get(name);
    if (!value) throw new Error(`layer ${this.layer.name} has no weight '${name}' (has: ${[...this.byName.keys()].join(', ') || 'none'})`);
    return value;
  }
}
