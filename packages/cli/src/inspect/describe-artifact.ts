import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ArtifactError, PROVENANCE_FILE, sha256 } from '@graft/core/base';

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
      // Arrow and Parquet load only for a Parquet file.
      return (await import('./describe-parquet.js')).describeParquet(path, bytes, rows);
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
