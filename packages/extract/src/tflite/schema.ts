/**
 * The parts of TensorFlow Lite's FlatBuffer schema (tensorflow/lite/schema/schema.fbs) Graft reads:
 * enum values and the field slots of the tables, as the schema's generated code numbers them
 * (field k of a table is at vtable offset 4 + 2k).
 */

/** Builtin operators Graft converts (BuiltinOperator values). */
export const BUILTIN = Object.freeze({
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6, FULLY_CONNECTED: 9,
  LOGISTIC: 14, MAX_POOL_2D: 17, MUL: 18, RELU: 19, RELU_N1_TO_1: 20, RELU6: 21, RESHAPE: 22, SOFTMAX: 25, TANH: 28,
  PAD: 34, MEAN: 40, SQUEEZE: 43, QUANTIZE: 114, HARD_SWISH: 117,
});

/** Every builtin operator's name by value, for messages about the ones Graft does not convert. */
export const BUILTIN_NAMES: readonly string[] = [
  'ADD', 'AVERAGE_POOL_2D', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE', 'DEQUANTIZE', 'EMBEDDING_LOOKUP', 'FLOOR',
  'FULLY_CONNECTED', 'HASHTABLE_LOOKUP', 'L2_NORMALIZATION', 'L2_POOL_2D', 'LOCAL_RESPONSE_NORMALIZATION', 'LOGISTIC', 'LSH_PROJECTION',
  'LSTM', 'MAX_POOL_2D', 'MUL', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR', 'RNN', 'SOFTMAX', 'SPACE_TO_DEPTH', 'SVDF',
  'TANH', 'CONCAT_EMBEDDINGS', 'SKIP_GRAM', 'CALL', 'CUSTOM', 'EMBEDDING_LOOKUP_SPARSE', 'PAD', 'UNIDIRECTIONAL_SEQUENCE_RNN', 'GATHER',
  'BATCH_TO_SPACE_ND', 'SPACE_TO_BATCH_ND', 'TRANSPOSE', 'MEAN', 'SUB', 'DIV', 'SQUEEZE', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'STRIDED_SLICE',
  'BIDIRECTIONAL_SEQUENCE_RNN', 'EXP', 'TOPK_V2', 'SPLIT', 'LOG_SOFTMAX', 'DELEGATE', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'CAST', 'PRELU',
  'MAXIMUM', 'ARG_MAX', 'MINIMUM', 'LESS', 'NEG', 'PADV2', 'GREATER', 'GREATER_EQUAL', 'LESS_EQUAL', 'SELECT', 'SLICE', 'SIN',
  'TRANSPOSE_CONV', 'SPARSE_TO_DENSE', 'TILE', 'EXPAND_DIMS', 'EQUAL', 'NOT_EQUAL', 'LOG', 'SUM', 'SQRT', 'RSQRT', 'SHAPE', 'POW',
  'ARG_MIN', 'FAKE_QUANT', 'REDUCE_PROD', 'REDUCE_MAX', 'PACK', 'LOGICAL_OR', 'ONE_HOT', 'LOGICAL_AND', 'LOGICAL_NOT', 'UNPACK',
  'REDUCE_MIN', 'FLOOR_DIV', 'REDUCE_ANY', 'SQUARE', 'ZEROS_LIKE', 'FILL', 'FLOOR_MOD', 'RANGE', 'RESIZE_NEAREST_NEIGHBOR', 'LEAKY_RELU',
  'SQUARED_DIFFERENCE', 'MIRROR_PAD', 'ABS', 'SPLIT_V', 'UNIQUE', 'CEIL', 'REVERSE_V2', 'ADD_N', 'GATHER_ND', 'COS', 'WHERE', 'RANK',
  'ELU', 'REVERSE_SEQUENCE', 'MATRIX_DIAG', 'QUANTIZE', 'MATRIX_SET_DIAG', 'ROUND', 'HARD_SWISH',
];

export function builtinName(code: number): string {
  return BUILTIN_NAMES[code] ?? `builtin operator ${code}`;
}

/** TensorType values. */
export const TENSOR_TYPE = Object.freeze({ FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, INT8: 9 });
export const TENSOR_TYPE_NAMES: readonly string[] = ['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8', 'float64'];

/** Padding values. */
export const PADDING = Object.freeze({ SAME: 0, VALID: 1 });

/** ActivationFunctionType values (fused into an operator). */
export const ACTIVATION = Object.freeze({ NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4 });

/** Field slots (vtable offsets) of the tables Graft reads. */
export const FIELDS = Object.freeze({
  model: { operatorCodes: 6, subgraphs: 8, buffers: 12, metadata: 16 },
  operatorCode: { deprecatedBuiltinCode: 4, customCode: 6, builtinCode: 10 },
  subGraph: { tensors: 4, inputs: 6, outputs: 8, operators: 10, name: 12 },
  tensor: { shape: 4, type: 6, buffer: 8, name: 10, quantization: 12 },
  quantization: { scale: 8, zeroPoint: 10, quantizedDimension: 16 },
  operator: { opcodeIndex: 4, inputs: 6, outputs: 8, builtinOptionsType: 10, builtinOptions: 12 },
  buffer: { data: 4 },
  metadata: { name: 4, buffer: 6 },
  // Builtin options tables.
  conv2d: { padding: 4, strideW: 6, strideH: 8, activation: 10, dilationW: 12, dilationH: 14 },
  depthwiseConv2d: { padding: 4, strideW: 6, strideH: 8, depthMultiplier: 10, activation: 12, dilationW: 14, dilationH: 16 },
  pool2d: { padding: 4, strideW: 6, strideH: 8, filterWidth: 10, filterHeight: 12, activation: 14 },
  fullyConnected: { activation: 4, weightsFormat: 6, keepNumDims: 8 },
  softmax: { beta: 4 },
  concatenation: { axis: 4, activation: 6 },
  add: { activation: 4 },
  mul: { activation: 4 },
  reshape: { newShape: 4 },
  reducer: { keepDims: 4 },
  squeeze: { squeezeDims: 4 },
  // TFLite metadata (tensorflow_lite_support metadata_schema.fbs), to find an input's normalization.
  modelMetadata: { subgraphMetadata: 10 },
  subGraphMetadata: { inputTensorMetadata: 8 },
  tensorMetadata: { processUnits: 12 },
  processUnit: { optionsType: 4, options: 6 },
  normalizationOptions: { mean: 4, std: 6 },
});

/** Metadata entry that holds the TFLite model metadata flatbuffer. */
export const METADATA_NAME = 'TFLITE_METADATA';
/** ProcessUnitOptions union value of NormalizationOptions. */
export const NORMALIZATION_OPTIONS = 1;
