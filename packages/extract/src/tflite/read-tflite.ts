import { ByteBuffer } from 'flatbuffers';
import { BackboneError } from '@graft/core';
import { FIELDS, METADATA_NAME, NORMALIZATION_OPTIONS, TENSOR_TYPE, TENSOR_TYPE_NAMES } from './schema.js';

/** Quantization of a tensor: real = scale × (q − zeroPoint), per tensor or per channel along `dimension`. */
export interface Quantization {
  readonly scale: Float32Array;
  readonly zeroPoint: number[];
  readonly dimension: number;
}

export interface TfliteTensor {
  readonly index: number;
  readonly name: string;
  readonly shape: number[];
  readonly type: number;
  /** Bytes of the constant's data; undefined for tensors computed at run time. */
  readonly data: Uint8Array | undefined;
  readonly quantization: Quantization | undefined;
}

export interface TfliteOperator {
  readonly index: number;
  /** BuiltinOperator value (CUSTOM for custom operators). */
  readonly builtin: number;
  readonly customCode: string | undefined;
  readonly inputs: number[];
  readonly outputs: number[];
  /** The builtin options table, read field by field (undefined when the operator has none). */
  readonly options: OptionsTable | undefined;
}

/** A table of builtin options: typed reads of its fields by vtable offset, with the schema's defaults. */
export interface OptionsTable {
  int(field: number, fallback?: number): number;
  byte(field: number, fallback?: number): number;
  bool(field: number, fallback?: boolean): boolean;
  float(field: number, fallback?: number): number;
  ints(field: number): number[] | undefined;
}

/** A TensorFlow Lite model's first subgraph, with its constants and the input normalization its metadata declares. */
export interface TfliteModel {
  readonly tensors: TfliteTensor[];
  readonly operators: TfliteOperator[];
  readonly inputs: number[];
  readonly outputs: number[];
  /** (pixel − mean) / std per channel, from the model's metadata (float models), if declared. */
  readonly inputNormalization: { mean: number[]; std: number[] } | undefined;
}

/** Whether `bytes` look like a TFLite FlatBuffer (identifier `TFL3` at byte 4). */
export function isTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === 'TFL3';
}

/** Read a .tflite file. Throws BackboneError naming the file when it is not one or is damaged. */
export function readTflite(bytes: Uint8Array, file: string): TfliteModel {
  if (!isTflite(bytes)) throw new BackboneError(`${file} is not a TensorFlow Lite model (no TFL3 identifier): pass a .tflite file`);
  try {
    return readModel(new ByteBuffer(bytes), bytes);
  } catch (error) {
    throw new BackboneError(`${file} is damaged or truncated: ${(error as Error).message}`, { cause: error });
  }
}

/** Field accessors over one table of a FlatBuffer. */
function table(bb: ByteBuffer, position: number) {
  const at = (field: number) => {
    const offset = bb.__offset(position, field);
    return offset ? position + offset : 0;
  };
  const vector = <T>(field: number, element: (at: number) => T, stride: number): T[] | undefined => {
    const offset = at(field);
    if (!offset) return undefined;
    const start = bb.__vector(offset);
    const length = bb.__vector_len(offset);
    if (start + length * stride > bb.capacity()) throw new RangeError(`a vector of ${length} elements runs past the end of the file`);
    return Array.from({ length }, (_, i) => element(start + i * stride));
  };
  return {
    int: (field: number, fallback = 0) => (at(field) ? bb.readInt32(at(field)) : fallback),
    uint: (field: number, fallback = 0) => (at(field) ? bb.readUint32(at(field)) : fallback),
    byte: (field: number, fallback = 0) => (at(field) ? bb.readInt8(at(field)) : fallback),
    bool: (field: number, fallback = false) => (at(field) ? bb.readInt8(at(field)) !== 0 : fallback),
    float: (field: number, fallback = 0) => (at(field) ? bb.readFloat32(at(field)) : fallback),
    string: (field: number) => (at(field) ? (bb.__string(at(field)) as string) : undefined),
    table: (field: number) => (at(field) ? table(bb, bb.__indirect(at(field))) : undefined),
    ints: (field: number) => vector(field, (p) => bb.readInt32(p), 4),
    floats: (field: number) => vector(field, (p) => bb.readFloat32(p), 4),
    longs: (field: number) => vector(field, (p) => Number(bb.readInt64(p)), 8),
    tables: (field: number) => vector(field, (p) => table(bb, bb.__indirect(p)), 4),
    /** The bytes of a [ubyte] vector, as a view of the file. */
    bytes: (field: number, file: Uint8Array): Uint8Array | undefined => {
      const offset = at(field);
      if (!offset) return undefined;
      const start = bb.__vector(offset);
      const length = bb.__vector_len(offset);
      if (start + length > file.length) throw new RangeError(`a buffer of ${length} bytes runs past the end of the file`);
      return file.subarray(start, start + length);
    },
  };
}
type Table = ReturnType<typeof table>;

function readModel(bb: ByteBuffer, file: Uint8Array): TfliteModel {
  const model = table(bb, bb.readInt32(bb.position()) + bb.position());
  const F = FIELDS;
  const codes = (model.tables(F.model.operatorCodes) ?? []).map((code) => ({
    // Files written before builtin_code existed keep the value in the deprecated byte.
    builtin: Math.max(code.int(F.operatorCode.builtinCode), code.byte(F.operatorCode.deprecatedBuiltinCode)),
    custom: code.string(F.operatorCode.customCode),
  }));
  const buffers = (model.tables(F.model.buffers) ?? []).map((buffer) => buffer.bytes(F.buffer.data, file));
  const subgraphs = model.tables(F.model.subgraphs) ?? [];
  if (subgraphs.length === 0) throw new RangeError('the model has no subgraph');
  const graph = subgraphs[0]!;
  const tensors = (graph.tables(F.subGraph.tensors) ?? []).map((tensor, index): TfliteTensor => {
    const quantization = tensor.table(F.tensor.quantization);
    const scale = quantization?.floats(F.quantization.scale);
    const data = buffers[tensor.uint(F.tensor.buffer)];
    return {
      index,
      name: tensor.string(F.tensor.name) ?? `tensor_${index}`,
      shape: tensor.ints(F.tensor.shape) ?? [],
      type: tensor.byte(F.tensor.type),
      data: data && data.length > 0 ? data : undefined,
      quantization: scale && scale.length > 0
        ? { scale: Float32Array.from(scale), zeroPoint: quantization!.longs(F.quantization.zeroPoint) ?? scale.map(() => 0), dimension: quantization!.int(F.quantization.quantizedDimension) }
        : undefined,
    };
  });
  const operators = (graph.tables(F.subGraph.operators) ?? []).map((operator, index): TfliteOperator => {
    const code = codes[operator.uint(F.operator.opcodeIndex)];
    if (!code) throw new RangeError(`operator ${index} names operator code ${operator.uint(F.operator.opcodeIndex)}, of ${codes.length}`);
    const hasOptions = operator.byte(F.operator.builtinOptionsType) !== 0;
    return {
      index,
      builtin: code.builtin,
      customCode: code.custom,
      inputs: operator.ints(F.operator.inputs) ?? [],
      outputs: operator.ints(F.operator.outputs) ?? [],
      options: hasOptions ? operator.table(F.operator.builtinOptions) : undefined,
    };
  });
  return {
    tensors,
    operators,
    inputs: graph.ints(F.subGraph.inputs) ?? [],
    outputs: graph.ints(F.subGraph.outputs) ?? [],
    inputNormalization: readInputNormalization(model, buffers),
  };
}

/** The first input's NormalizationOptions from the TFLite metadata, when the model carries metadata. */
function readInputNormalization(model: Table, buffers: (Uint8Array | undefined)[]): TfliteModel['inputNormalization'] {
  const F = FIELDS;
  const entry = (model.tables(F.model.metadata) ?? []).find((metadata) => metadata.string(F.metadata.name) === METADATA_NAME);
  const bytes = entry ? buffers[entry.uint(F.metadata.buffer)] : undefined;
  if (!bytes) return undefined;
  const bb = new ByteBuffer(bytes);
  const metadata = table(bb, bb.readInt32(0));
  const input = metadata.tables(F.modelMetadata.subgraphMetadata)?.[0]?.tables(F.subGraphMetadata.inputTensorMetadata)?.[0];
  for (const unit of input?.tables(F.tensorMetadata.processUnits) ?? []) {
    if (unit.byte(F.processUnit.optionsType) !== NORMALIZATION_OPTIONS) continue;
    const options = unit.table(F.processUnit.options);
    const mean = options?.floats(F.normalizationOptions.mean);
    const std = options?.floats(F.normalizationOptions.std);
    if (mean?.length && std?.length) return { mean, std };
  }
  return undefined;
}

/** A constant tensor's values as float32: quantized ones dequantized (per channel where given), float16 widened. */
export function constantValues(tensor: TfliteTensor): Float32Array {
  const { data } = tensor;
  if (!data) throw new BackboneError(`tensor ${tensor.name} is not a constant`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = tensor.shape.reduce((a, b) => a * b, 1);
  const raw = new Float64Array(count);
  const width = { [TENSOR_TYPE.FLOAT32]: 4, [TENSOR_TYPE.INT32]: 4, [TENSOR_TYPE.UINT8]: 1, [TENSOR_TYPE.INT8]: 1, [TENSOR_TYPE.FLOAT16]: 2, [TENSOR_TYPE.INT64]: 8 }[tensor.type];
  if (width === undefined) throw new BackboneError(`tensor ${tensor.name} holds ${TENSOR_TYPE_NAMES[tensor.type] ?? `type ${tensor.type}`} values, which Graft does not read`);
  if (data.byteLength < count * width) throw new BackboneError(`tensor ${tensor.name} has ${data.byteLength} bytes, its shape needs ${count * width}`);
  for (let i = 0; i < count; i++) {
    switch (tensor.type) {
      case TENSOR_TYPE.FLOAT32: raw[i] = view.getFloat32(i * 4, true); break;
      case TENSOR_TYPE.INT32: raw[i] = view.getInt32(i * 4, true); break;
      case TENSOR_TYPE.UINT8: raw[i] = view.getUint8(i); break;
      case TENSOR_TYPE.INT8: raw[i] = view.getInt8(i); break;
      case TENSOR_TYPE.FLOAT16: raw[i] = halfToFloat(view.getUint16(i * 2, true)); break;
      case TENSOR_TYPE.INT64: raw[i] = Number(view.getBigInt64(i * 8, true)); break;
    }
  }
  const q = tensor.quantization;
  if (!q || tensor.type === TENSOR_TYPE.FLOAT32 || tensor.type === TENSOR_TYPE.FLOAT16) return Float32Array.from(raw);
  // Per-channel: the channel of element i along `dimension` (row-major).
  const inner = tensor.shape.slice(q.dimension + 1).reduce((a, b) => a * b, 1);
  const channels = tensor.shape[q.dimension] ?? 1;
  const perChannel = q.scale.length > 1;
  if (perChannel && q.scale.length !== channels) throw new BackboneError(`tensor ${tensor.name}: ${q.scale.length} scales for ${channels} channels`);
  return Float32Array.from(raw, (value, i) => {
    const channel = perChannel ? Math.floor(i / inner) % channels : 0;
    return q.scale[channel]! * (value - (q.zeroPoint[channel] ?? q.zeroPoint[0] ?? 0));
  });
}

/** Integer values of a constant tensor (shapes, axes, paddings). */
export function constantInts(tensor: TfliteTensor): number[] {
  if (tensor.type !== TENSOR_TYPE.INT32 && tensor.type !== TENSOR_TYPE.INT64) throw new BackboneError(`tensor ${tensor.name} should hold integers`);
  return Array.from(constantValues({ ...tensor, quantization: undefined }), Math.round);
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
