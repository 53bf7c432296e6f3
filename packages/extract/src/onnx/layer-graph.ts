import type { tf } from '@graft/tf';

export type Layer = tf.layers.Layer;
export type SymbolicTensor = tf.SymbolicTensor;

/** One application of a layer (a Keras "node"): its input and output symbolic tensors. */
export interface LayerCall {
  layer: Layer;
  className: string;
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
}

export interface LayerGraph {
  /** The calls needed to compute the model's output, inputs before consumers. */
  calls: LayerCall[];
  /** How many calls in `calls` read each tensor (the model output counts as one more reader). */
  readers: Map<SymbolicTensor, number>;
}

/**
 * The part of a functional LayersModel that its single output depends on, in a deterministic
 * topological order (depth-first from the output, inputs visited in call order).
 */
export function layerGraph(model: tf.LayersModel): LayerGraph {
  if (model.outputs.length !== 1) throw new Error(`the model has ${model.outputs.length} outputs: ONNX export needs exactly one`);
  const output = model.outputs[0]!;
  const calls: LayerCall[] = [];
  const callOf = new Map<Layer, Map<number, LayerCall>>();
  const done = new Set<LayerCall>();
  const stack: { call: LayerCall; expanded: boolean }[] = [{ call: layerCall(output, callOf), expanded: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (done.has(top.call)) {
      stack.pop();
      continue;
    }
    if (top.expanded) {
      stack.pop();
      done.add(top.call);
      calls.push(top.call);
      continue;
    }
    top.expanded = true;
    // Push inputs in reverse so the first input is finished first.
    for (const input of [...top.call.inputs].reverse()) {
      const call = layerCall(input, callOf);
      if (!done.has(call)) {
        if (stack.some((entry) => entry.call === call && entry.expanded)) throw new Error(`layer ${call.layer.name} depends on itself`);
        stack.push({ call, expanded: false });
      }
    }
  }
  const readers = new Map<SymbolicTensor, number>([[output, 1]]);
  for (const call of calls) for (const input of call.inputs) readers.set(input, (readers.get(input) ?? 0) + 1);
  return { calls, readers };
}

function layerCall(tensor: SymbolicTensor, callOf: Map<Layer, Map<number, LayerCall>>): LayerCall {
  const layer = tensor.sourceLayer;
  let calls = callOf.get(layer);
  if (!calls) callOf.set(layer, (calls = new Map()));
  let call = calls.get(tensor.nodeIndex);
  if (!call) {
    const node = layer.inboundNodes[tensor.nodeIndex];
    if (!node) throw new Error(`layer ${layer.name} has no inbound node ${tensor.nodeIndex}`);
    const className = layer.getClassName();
    // An InputLayer's node lists its own tensor as input: it has no real inputs.
    call = { layer, className, inputs: className === 'InputLayer' ? [] : [...node.inputTensors], outputs: [...node.outputTensors] };
    calls.set(tensor.nodeIndex, call);
  }
  return call;
}
