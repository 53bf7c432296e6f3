import * as arrow from 'apache-arrow';
import { ArtifactError } from './errors.js';

/** One column of a table to build: its Arrow type and values. */
export interface ColumnInput {
  readonly name: string;
  readonly type: arrow.DataType;
  readonly nullable?: boolean;
  /** Plain values, a typed array for numeric columns, or a ready Arrow vector. */
  readonly values: readonly unknown[] | ArrayLike<number> | arrow.Vector;
}

/** Build an Arrow table with an explicit schema (types never inferred) and schema metadata. */
export function makeTable(columns: readonly ColumnInput[], metadata: Map<string, string>): arrow.Table {
  const fields = columns.map((column) => new arrow.Field(column.name, column.type, column.nullable ?? false));
  const length = columns.length ? toVector(columns[0]!).length : 0;
  const children = columns.map((column) => {
    const vector = toVector(column);
    if (vector.length !== length) throw new Error(`column ${column.name} has ${vector.length} values, expected ${length}`);
    return vector.data.length === 1 ? vector.data[0]! : arrow.makeVector(vector.toArray()).data[0]!;
  });
  const schema = new arrow.Schema(fields, metadata);
  const data = arrow.makeData({ type: new arrow.Struct(fields), length, nullCount: 0, children });
  return new arrow.Table([new arrow.RecordBatch(schema, data)]);
}

function toVector(column: ColumnInput): arrow.Vector {
  const values = column.values;
  if (values instanceof arrow.Vector) return values;
  if (ArrayBuffer.isView(values)) return arrow.makeVector(values as Int32Array);
  return arrow.vectorFromArray(values as unknown[], column.type);
}

/** A FixedSizeList<Float32>[dimension] vector over row-major float32 values, without copying. */
export function featureVector(values: Float32Array, dimension: number): arrow.Vector<arrow.FixedSizeList<arrow.Float32>> {
  const type = featureType(dimension);
  const length = values.length / dimension;
  const child = arrow.makeData({ type: new arrow.Float32(), length: values.length, data: values });
  return arrow.makeVector(arrow.makeData({ type, length, nullCount: 0, child }));
}

/** Arrow type of a feature column: FixedSizeList<Float32>[dimension] (DuckDB: FLOAT[dimension]). */
export function featureType(dimension: number): arrow.FixedSizeList<arrow.Float32> {
  return new arrow.FixedSizeList(dimension, new arrow.Field('item', new arrow.Float32(), false));
}

/** Read a FixedSizeList<Float32> column back into one row-major Float32Array and its dimension. */
export function readFeatureColumn(table: arrow.Table, name: string): { values: Float32Array; dimension: number } {
  const column = table.getChild(name);
  if (!column || !(column.type instanceof arrow.FixedSizeList)) throw new ArtifactError(`column ${name} is missing or not a fixed-size list`);
  const dimension = column.type.listSize;
  const values = new Float32Array(table.numRows * dimension);
  let offset = 0;
  for (const chunk of column.data) {
    const child = chunk.children[0]!;
    const flat = (child.values as Float32Array).subarray(chunk.offset * dimension + child.offset, (chunk.offset + chunk.length) * dimension + child.offset);
    values.set(flat, offset);
    offset += flat.length;
  }
  return { values, dimension };
}

/** Values of a column as a plain array (bigint → number, so no BigInt leaks into JSON). */
export function columnValues<T = unknown>(table: arrow.Table, name: string): T[] {
  const column = table.getChild(name);
  if (!column) throw new ArtifactError(`column ${name} is missing (found: ${table.schema.fields.map((f) => f.name).join(', ')})`);
  return Array.from(column, (value) => (typeof value === 'bigint' ? Number(value) : value) as T);
}
