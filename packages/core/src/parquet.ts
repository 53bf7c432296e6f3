import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic.js';
import { ArtifactError, ArtifactNotFoundError, SchemaMismatchError } from './errors.js';
import { GRAFT_METADATA_KEY, type ArtifactHeader } from './artifact-metadata.js';

/** The header of a table read from a Graft artifact, or undefined when it has none. */
export function artifactHeader(table: arrow.Table): ArtifactHeader | undefined {
  const raw = table.schema.metadata.get(GRAFT_METADATA_KEY);
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<ArtifactHeader>;
    return typeof parsed.schema === 'string' ? { schema: parsed.schema, provenance: parsed.provenance ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

/** Rows per Parquet row group: bounded memory for readers that stream row groups. */
const ROW_GROUP_SIZE = 8192;

/** Graft's Parquet writer settings: zstd, no dictionaries, bounded row groups, metadata also as plain key/value. */
export function writerProperties(metadata: Map<string, string>, rowGroupSize = ROW_GROUP_SIZE): parquet.WriterProperties {
  return new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(rowGroupSize)
    .setCreatedBy('graft')
    .setKeyValueMetadata(new Map(metadata))
    .build();
}

/** Parquet bytes of an Arrow table; schema metadata is also written as plain key/value metadata. */
export function tableToParquet(table: arrow.Table): Uint8Array {
  // writeParquet consumes (frees) the wasm table.
  return parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), writerProperties(table.schema.metadata));
}

/** Arrow table of Parquet bytes, with the schema metadata restored. */
export function parquetToTable(bytes: Uint8Array): arrow.Table {
  return arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream()); // intoIPCStream consumes (frees) the wasm table
}

/** Write an Arrow table to a Parquet file atomically. */
export async function writeParquetFile(path: string, table: arrow.Table): Promise<void> {
  await writeFileAtomic(path, tableToParquet(table));
}

/**
 * Read a Graft artifact and check its schema version. `expectedSchema` is `<kind>/<version>`, or
 * a list of the versions this Graft still reads (current first).
 * Missing files, damaged files and other versions each give a one-line error naming the file.
 */
export async function readArtifact(path: string, expectedSchema: string | readonly string[], producedBy: string): Promise<arrow.Table> {
  const accepted = typeof expectedSchema === 'string' ? [expectedSchema] : expectedSchema;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ArtifactNotFoundError(`${path} does not exist: run \`graft ${producedBy}\` first (or \`graft run\`).`, { cause: error });
    }
    throw new ArtifactError(`${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  let table: arrow.Table;
  try {
    table = parquetToTable(bytes);
  } catch (error) {
    throw new SchemaMismatchError(`${path} is not a readable Parquet file (damaged or truncated): delete it and rerun \`graft ${producedBy}\`.`, { cause: error });
  }
  const found = artifactHeader(table)?.schema;
  if (found === undefined || !accepted.includes(found)) {
    throw new SchemaMismatchError(
      `${path} has schema ${found ?? '(none)'} but this Graft reads ${accepted[0]}: rerun \`graft ${producedBy}\` to rebuild it.`,
    );
  }
  return table;
}

/** The header (schema version and provenance) of a Graft artifact file, its schema checked. */
export async function readArtifactHeader(path: string, expectedSchema: string, producedBy: string): Promise<ArtifactHeader> {
  return artifactHeader(await readArtifact(path, expectedSchema, producedBy))!;
}
