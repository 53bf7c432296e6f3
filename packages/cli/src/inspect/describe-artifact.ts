import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import * as arrow from 'apache-arrow';
import { ArtifactError, PROVENANCE_FILE, artifactHeader, parquetToTable, sha256 } from '@graft/core';

export interface ColumnDescription {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
}

/** What `graft inspect` reports about one artifact, JSON-ready. */
export type ArtifactDescription =
  | { readonly kind: 'parquet'; readonly path: string; readonly rows: number; readonly columns: ColumnDescription[]; readonly schema: string | null; readonly provenance: Record<string, unknown> | null; readonly firstRows: Record<string, unknown>[] }
  | { readonly kind: 'json'; readonly path: string; readonly content: unknown }
  | { readonly kind: 'text'; readonly path: string; readonly lines: number; readonly firstLines: string[] }
  | { readonly kind: 'file'; readonly path: string; readonly bytes: number; readonly sha256: string }
  | { readonly kind: 'stage'; readonly path: string; readonly provenance: unknown; readonly files: { file: string; bytes: number }[] };

/** Describe a file or a stage folder; `rows` = how many first rows / lines to include. */
export async function describeArtifact(path: string, rows: number): Promise<ArtifactDescription> {
  if (statSync(path).isDirectory()) return describeFolder(path);
  const bytes = await readFile(path);
  switch (extname(path).toLowerCase()) {
    case '.parquet':
      return describeParquet(path, bytes, rows);
    case '.json':
      try {
        return { kind: 'json', path, content: JSON.parse(bytes.toString('utf8')) };
      } catch (error) {
        throw new ArtifactError(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
      }
    case '.txt':
    case '.csv': {
      const lines = bytes.toString('utf8').split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
      return { kind: 'text', path, lines: lines.length, firstLines: lines.slice(0, rows) };
    }
    default:
      return { kind: 'file', path, bytes: bytes.byteLength, sha256: sha256(bytes) };
  }
}

function describeParquet(path: string, bytes: Uint8Array, rows: number): ArtifactDescription {
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

async function describeFolder(path: string): Promise<ArtifactDescription> {
  const files = (readdirSync(path, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((file) => ({ file: file.slice(path.length + 1).split('\\').join('/'), bytes: statSync(file).size }));
  let provenance: unknown = null;
  try {
    provenance = JSON.parse(await readFile(join(path, PROVENANCE_FILE), 'utf8'));
  } catch {
    // a folder without provenance: list its files only
  }
  return { kind: 'stage', path, provenance, files };
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
