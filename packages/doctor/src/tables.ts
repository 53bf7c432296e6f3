import * as arrow from 'apache-arrow';
import { columnValues, makeTable, readArtifact } from '@graft/core';
import type { ManifestRow } from '@graft/split';
import { doctorStage } from './spec.js';
import type { DuplicatePair } from './findings.js';
import type { LabelCheck } from './label-issues.js';
import type { OutlierScores } from './outliers.js';

const utf8 = new arrow.Utf8();

/** Path, class and split columns of one side of a pair (or of the image itself, with no suffix). */
function imageColumns(rows: readonly ManifestRow[], picked: readonly number[], suffix = '') {
  return [
    { name: `path${suffix}`, type: utf8, values: picked.map((i) => rows[i]!.path) },
    { name: `class_name${suffix}`, type: utf8, values: picked.map((i) => rows[i]!.className) },
    { name: `split${suffix}`, type: utf8, values: picked.map((i) => rows[i]!.split) },
  ];
}

export function duplicatesTable(rows: readonly ManifestRow[], pairs: readonly DuplicatePair[], metadata: Map<string, string>): arrow.Table {
  return makeTable(
    [
      { name: 'kind', type: utf8, values: pairs.map((p) => p.kind) },
      { name: 'finding', type: utf8, values: pairs.map((p) => p.finding) },
      { name: 'similarity', type: new arrow.Float32(), values: Float32Array.from(pairs, (p) => p.similarity) },
      ...imageColumns(rows, pairs.map((p) => p.a), '_a'),
      ...imageColumns(rows, pairs.map((p) => p.b), '_b'),
    ],
    metadata,
  );
}

export function labelIssuesTable(rows: readonly ManifestRow[], checks: readonly LabelCheck[], order: readonly number[], labels: readonly string[], metadata: Map<string, string>): arrow.Table {
  const ordered = order.map((i) => checks[i]!);
  return makeTable(
    [
      { name: 'rank', type: new arrow.Int32(), values: Int32Array.from(order, (_, r) => r + 1) },
      ...imageColumns(rows, order),
      { name: 'given_probability', type: new arrow.Float32(), values: Float32Array.from(ordered, (c) => c.givenProbability) },
      { name: 'suggested_class', type: utf8, values: ordered.map((c) => labels[c.suggestedClass] ?? '') },
      { name: 'suggested_probability', type: new arrow.Float32(), values: Float32Array.from(ordered, (c) => c.suggestedProbability) },
      { name: 'margin', type: new arrow.Float32(), values: Float32Array.from(ordered, (c) => c.margin) },
      { name: 'flagged', type: new arrow.Bool(), values: ordered.map((c) => c.flagged) },
    ],
    metadata,
  );
}

export function outliersTable(rows: readonly ManifestRow[], outliers: OutlierScores, order: readonly number[], labels: readonly string[], metadata: Map<string, string>): arrow.Table {
  return makeTable(
    [
      { name: 'rank', type: new arrow.Int32(), values: Int32Array.from(order, (_, r) => r + 1) },
      ...imageColumns(rows, order),
      { name: 'score', type: new arrow.Float32(), values: Float32Array.from(order, (i) => outliers.score[i]!) },
      { name: 'nearest_class', type: utf8, values: order.map((i) => labels[outliers.nearestClass[i]!] ?? '') },
      { name: 'robust_z', type: new arrow.Float32(), values: Float32Array.from(order, (i) => outliers.robustZ[i]!) },
      { name: 'flagged', type: new arrow.Bool(), values: order.map((i) => outliers.flagged[i]!) },
    ],
    metadata,
  );
}

/** A doctor table read back as plain objects (column name → value), in stored order. */
export async function readDoctorTable(path: string, output: 'duplicates' | 'labelIssues' | 'outliers'): Promise<Record<string, unknown>[]> {
  const table = await readArtifact(path, doctorStage.outputs[output].schema!, 'doctor');
  const names = table.schema.fields.map((field) => field.name);
  const columns = names.map((name) => columnValues<unknown>(table, name));
  return Array.from({ length: table.numRows }, (_, i) => Object.fromEntries(names.map((name, c) => [name, columns[c]![i]])));
}
