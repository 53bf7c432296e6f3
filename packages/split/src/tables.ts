import * as arrow from 'apache-arrow';
import { columnValues, makeTable, readArtifact, type ColumnInput } from '@graft/core';
import { splitStage } from './spec.js';
import type { Split } from './assign-split.js';

/** Which image folder a manifest row comes from: the labelled source (`--data`) or the target domain (`--target`). */
export type Domain = 'source' | 'target';

/** Manifest schemas this Graft reads, current first (graft.manifest/1 had no `domain` column: all source). */
export const MANIFEST_SCHEMAS = ['graft.manifest/2', 'graft.manifest/1'] as const;

/** One usable image, as stored in manifest.parquet. */
export interface ManifestRow {
  /** Path relative to its domain's root (`--data` or `--target`), `/`-separated. */
  readonly path: string;
  /** Class name; '' for an unlabelled target image. */
  readonly className: string;
  /** Class index; -1 for an unlabelled target image. Target labels are read only by evaluate. */
  readonly classIndex: number;
  /** train / validation / test for source images; train (adaptation) / test (held out) for target images. */
  readonly split: Split;
  /** Absent in rows built by older code: read as 'source'. */
  readonly domain?: Domain;
  readonly sha256: string;
  readonly bytes: number;
  readonly format: string;
  readonly width: number;
  readonly height: number;
}

/** One class folder, as stored in classes.parquet. */
export interface ClassRow {
  /** Index used by the classifier; null when the class was left out. */
  readonly classIndex: number | null;
  readonly className: string;
  readonly images: number;
  readonly train: number;
  readonly validation: number;
  readonly test: number;
  /** Why the class was left out; null when it is used. */
  readonly excludedReason: string | null;
}

export interface RejectedRow {
  readonly path: string;
  readonly className: string | null;
  readonly reason: string;
}

const utf8 = new arrow.Utf8();
const int32 = new arrow.Int32();

/** The manifest's columns; the bottleneck table starts with the same ones. */
export function manifestColumns(rows: readonly ManifestRow[]): ColumnInput[] {
  return [
      { name: 'path', type: utf8, values: rows.map((r) => r.path) },
      { name: 'class_name', type: utf8, values: rows.map((r) => r.className) },
      { name: 'class_index', type: int32, values: Int32Array.from(rows, (r) => r.classIndex) },
      { name: 'split', type: utf8, values: rows.map((r) => r.split) },
      { name: 'sha256', type: utf8, values: rows.map((r) => r.sha256) },
      { name: 'bytes', type: new arrow.Int64(), values: rows.map((r) => BigInt(r.bytes)) },
      { name: 'format', type: utf8, values: rows.map((r) => r.format) },
      { name: 'width', type: int32, values: Int32Array.from(rows, (r) => r.width) },
      { name: 'height', type: int32, values: Int32Array.from(rows, (r) => r.height) },
      { name: 'domain', type: utf8, values: rows.map((r) => r.domain ?? 'source') },
  ];
}

export function manifestTable(rows: readonly ManifestRow[], metadata: Map<string, string>): arrow.Table {
  return makeTable(manifestColumns(rows), metadata);
}

export function classesTable(rows: readonly ClassRow[], metadata: Map<string, string>): arrow.Table {
  return makeTable(
    [
      { name: 'class_index', type: int32, nullable: true, values: rows.map((r) => r.classIndex) },
      { name: 'class_name', type: utf8, values: rows.map((r) => r.className) },
      { name: 'images', type: int32, values: Int32Array.from(rows, (r) => r.images) },
      { name: 'train', type: int32, values: Int32Array.from(rows, (r) => r.train) },
      { name: 'validation', type: int32, values: Int32Array.from(rows, (r) => r.validation) },
      { name: 'test', type: int32, values: Int32Array.from(rows, (r) => r.test) },
      { name: 'excluded_reason', type: utf8, nullable: true, values: rows.map((r) => r.excludedReason) },
    ],
    metadata,
  );
}

export function rejectedTable(rows: readonly RejectedRow[], metadata: Map<string, string>): arrow.Table {
  return makeTable(
    [
      { name: 'path', type: utf8, values: rows.map((r) => r.path) },
      { name: 'class_name', type: utf8, nullable: true, values: rows.map((r) => r.className) },
      { name: 'reason', type: utf8, values: rows.map((r) => r.reason) },
    ],
    metadata,
  );
}

/** Read manifest.parquet (checking its schema version). */
export async function readManifest(path: string): Promise<ManifestRow[]> {
  return manifestRows(await readArtifact(path, MANIFEST_SCHEMAS, 'split'));
}

/** Manifest rows of any table that starts with the manifest's columns. */
export function manifestRows(table: arrow.Table): ManifestRow[] {
  const column = <T>(name: string) => columnValues<T>(table, name);
  const [paths, classNames, classIndices, splits, hashes, bytes, formats, widths, heights] = [
    column<string>('path'), column<string>('class_name'), column<number>('class_index'), column<Split>('split'),
    column<string>('sha256'), column<number>('bytes'), column<string>('format'), column<number>('width'), column<number>('height'),
  ];
  const domains = table.getChild('domain') ? column<Domain>('domain') : undefined;
  return paths.map((path, i) => ({
    path, className: classNames[i]!, classIndex: classIndices[i]!, split: splits[i]!, sha256: hashes[i]!,
    bytes: bytes[i]!, format: formats[i]!, width: widths[i]!, height: heights[i]!, domain: domains?.[i] ?? 'source',
  }));
}

/** The domain of a manifest row ('source' unless it came from `--target`). */
export function domainOf(row: ManifestRow): Domain {
  return row.domain ?? 'source';
}

/** Read classes.parquet; the used classes in index order come first. */
export async function readClasses(path: string): Promise<ClassRow[]> {
  const table = await readArtifact(path, splitStage.outputs.classes.schema, 'split');
  const names = columnValues<string>(table, 'class_name');
  const indices = columnValues<number | null>(table, 'class_index');
  const images = columnValues<number>(table, 'images');
  const train = columnValues<number>(table, 'train');
  const validation = columnValues<number>(table, 'validation');
  const test = columnValues<number>(table, 'test');
  const reasons = columnValues<string | null>(table, 'excluded_reason');
  return names.map((className, i) => ({
    className, classIndex: indices[i] ?? null, images: images[i]!, train: train[i]!, validation: validation[i]!, test: test[i]!, excludedReason: reasons[i] ?? null,
  }));
}

/** Names of the used classes, position = class index. */
export function classLabels(classes: readonly ClassRow[]): string[] {
  return classes.filter((c) => c.classIndex !== null).sort((a, b) => a.classIndex! - b.classIndex!).map((c) => c.className);
}

/** Read a rejected-files table: split's rejected.parquet, or extract's skipped.parquet (same schema). */
export async function readRejected(path: string, producedBy: 'split' | 'extract' = 'split'): Promise<RejectedRow[]> {
  const table = await readArtifact(path, splitStage.outputs.rejected.schema, producedBy);
  const classNames = columnValues<string | null>(table, 'class_name');
  const reasons = columnValues<string>(table, 'reason');
  return columnValues<string>(table, 'path').map((path, i) => ({ path, className: classNames[i] ?? null, reason: reasons[i]! }));
}
