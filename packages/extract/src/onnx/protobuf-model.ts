import { endianness } from 'node:os';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

// onnx-proto is CommonJS whose `module.exports` is the protobufjs root: only a default import works.
const { onnx } = onnxProto;

/** ONNX operator set the exporter writes (Softmax over one axis, Pad/Clip with tensor inputs). */
export const ONNX_OPSET = 13;
/** IR version matching the `onnx-proto` schema (ONNX 1.10). */
export const ONNX_IR_VERSION = 8;

export type AttributeValue = number | number[] | string | { float: number };

/** The fixed sizes (or symbolic names) of a value's dimensions, as its ValueInfo states them. */
export function valueDims(info: OnnxTypes.IValueInfoProto): Dimension[] {
  return (info.type?.tensorType?.shape?.dim ?? []).map((dim) => (dim.dimValue != null ? Number(dim.dimValue) : (dim.dimParam ?? '?')));
}

/** One tensor dimension: a fixed size, or a named symbolic one (e.g. the batch 'N'). */
export type Dimension = number | string;

/**
 * Accumulates the nodes and initializers of one ONNX graph and encodes it as a ModelProto.
 * Everything is kept in insertion order, so the same calls produce the same bytes.
 */
export class OnnxGraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly usedNames = new Set<string>();
  /** Operator sets and IR version of the model being extended (else Graft's own). */
  private opsetImport: OnnxTypes.IOperatorSetIdProto[] = [{ domain: '', version: ONNX_OPSET }];
  private irVersion = ONNX_IR_VERSION;

  /**
   * A builder holding the nodes and initializers of an existing model (its operator sets kept), to
   * extend it; returns its image input (the one graph input that is not an initializer) and its
   * first output. These stop being graph inputs and outputs once the extended graph is encoded with
   * new ones.
   */
  static extend(bytes: Uint8Array): { builder: OnnxGraphBuilder; input: OnnxTypes.IValueInfoProto; output: string; values: Set<string> } {
    const model = onnx.ModelProto.decode(bytes);
    const graph = model.graph;
    if (!graph) throw new Error('the model has no graph');
    const builder = new OnnxGraphBuilder();
    if (model.opsetImport?.length) builder.opsetImport = model.opsetImport;
    if (model.irVersion) builder.irVersion = Number(model.irVersion);
    const values = new Set<string>();
    for (const node of graph.node ?? []) {
      builder.nodes.push(node);
      for (const name of node.output ?? []) if (name) values.add(name);
      for (const name of [...(node.output ?? []), node.name ?? '']) if (name) builder.usedNames.add(name);
    }
    const constants = new Set<string>();
    for (const initializer of graph.initializer ?? []) {
      builder.initializers.push(initializer);
      builder.usedNames.add(initializer.name!);
      constants.add(initializer.name!);
    }
    const inputs = (graph.input ?? []).filter((input) => !constants.has(input.name!));
    if (inputs.length !== 1) throw new Error(`the model has ${inputs.length} inputs (besides its weights): Graft needs one image input`);
    const output = graph.output?.[0]?.name;
    if (!output) throw new Error('the model has no output');
    for (const input of inputs) builder.usedNames.add(input.name!);
    return { builder, input: inputs[0]!, output, values };
  }

  /** A tensor or node name not used before in this graph, derived from `base`. */
  uniqueName(base: string): string {
    let name = base;
    for (let suffix = 1; this.usedNames.has(name); suffix++) name = `${base}_${suffix}`;
    this.usedNames.add(name);
    return name;
  }

  /** Reserve a name that must stay exactly as given (graph inputs and outputs). */
  reserveName(name: string): string {
    if (this.usedNames.has(name)) throw new Error(`ONNX name ${name} is already used`);
    this.usedNames.add(name);
    return name;
  }

  /** Add a float32 constant; returns its (unique) name. */
  addFloatInitializer(base: string, dims: readonly number[], values: Float32Array): string {
    checkSize(base, dims, values.length);
    const name = this.uniqueName(base);
    this.initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: littleEndianBytes(values) });
    return name;
  }

  /** Add an int64 constant (shapes, pads); returns its (unique) name. */
  addInt64Initializer(base: string, values: readonly number[]): string {
    const name = this.uniqueName(base);
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((value, index) => view.setBigInt64(index * 8, BigInt(value), true));
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: bytes });
    return name;
  }

  /** Add a node; `outputBase` names its single output. Returns the output name. */
  addNode(opType: string, inputs: readonly string[], outputBase: string, attributes: Record<string, AttributeValue> = {}): string {
    return this.addNodeWithOutput(opType, inputs, this.uniqueName(outputBase), attributes);
  }

  /** Add a node writing the already reserved tensor name `output`. */
  addNodeWithOutput(opType: string, inputs: readonly string[], output: string, attributes: Record<string, AttributeValue> = {}): string {
    this.nodes.push({
      name: output,
      opType,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return output;
  }

  /** Give the tensor `from` the name `to` where it is produced, if no other node reads it. */
  renameOutput(from: string, to: string): boolean {
    const producer = this.nodes.find((node) => node.output?.includes(from));
    if (!producer || this.nodes.some((node) => node.input?.includes(from))) return false;
    producer.output = producer.output!.map((name) => (name === from ? to : name));
    return true;
  }

  /** Encode the graph with one float32 input and one float32 output. */
  encode(options: { graphName: string; input: { name: string; dims: Dimension[] }; output: { name: string; dims: Dimension[] }; docString?: string }): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: this.irVersion,
      opsetImport: this.opsetImport,
      producerName: 'graft',
      graph: {
        name: options.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: [valueInfo(options.input.name, options.input.dims)],
        output: [valueInfo(options.output.name, options.output.dims)],
        ...(options.docString ? { docString: options.docString } : {}),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, dims: Dimension[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { float } for non-integer ${value}`);
    return { name, type: AttributeType.INT, i: value };
  }
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: [...value] };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

function checkSize(name: string, dims: readonly number[], length: number): void {
  const size = dims.reduce((product, dim) => product * dim, 1);
  if (size !== length) throw new Error(`initializer ${name}: dims [${dims.join(', ')}] need ${size} values, got ${length}`);
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** ONNX raw_data is little-endian; copy so the proto never aliases a caller's buffer. */
function littleEndianBytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setFloat32(index * 4, value, true));
  return bytes;
}
