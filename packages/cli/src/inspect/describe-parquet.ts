import * as arrow from 'apache-arrow';
import { ArtifactError, artifactHeader, parquetToTable } from '@graft/core';
import type { ArtifactDescription } from './describe-artifact.js';

/** `graft inspect` of a Parquet file: columns, row count, Graft header and the first `rows` rows. */
export function describeParquet(path: string, bytes: Uint8Array, rows: number): ArtifactDescription {
  let table: arrow.Table;
  try {
    table = parquetToTable(bytes);
  } catch (error) {
    throw new ArtifactError(`${path} is not a readable Parquet file (damaged or truncated)`, { cause: error });
  }
  const header = artifactHeader(table);
  const head = table.slice(0, rows);
  const firstRows = Array.from({ length: head.numRows }, (_, i) => Object.fromEntries(table.schema.fields.map((field) => [field.name, jsonValue(head.getChild(field.name)!.get(i))])));
  return {
    kind: 'parquet',
    path,
    rows: table.numRows,
    columns: table.schema.fields.map((field) => ({ name: field.name, type: String(field.type), nullable: field.nullable })),
    schema: header?.schema ?? null,
    provenance: header?.provenance ?? null,
    firstRows,
  };
}

/** An Arrow cell as plain JSON: lists become arrays, int64 a number when exact (else a string). */
export function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof arrow.Vector) return Array.from(value, jsonValue);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') return jsonValue((value as { toJSON(): unknown }).toJSON());
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  return value;
}
