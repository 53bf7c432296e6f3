import * as arrow from 'apache-arrow';
import { columnValues, makeTable, readArtifact } from '@graft/core';
import { similarityStage } from './spec.js';
import type { SimilarityRow } from './measure-similarity.js';

export function similarityTable(rows: readonly SimilarityRow[], metadata: Map<string, string>): arrow.Table {
  const utf8 = new arrow.Utf8();
  return makeTable(
    [
      { name: 'measure', type: utf8, values: rows.map((r) => r.measure) },
      { name: 'class_name', type: utf8, nullable: true, values: rows.map((r) => r.className) },
      { name: 'value', type: new arrow.Float64(), values: Float64Array.from(rows, (r) => r.value) },
      { name: 'p_value', type: new arrow.Float64(), nullable: true, values: rows.map((r) => r.pValue) },
      { name: 'source_images', type: new arrow.Int32(), values: Int32Array.from(rows, (r) => r.sourceImages) },
      { name: 'target_images', type: new arrow.Int32(), values: Int32Array.from(rows, (r) => r.targetImages) },
      { name: 'note', type: utf8, nullable: true, values: rows.map((r) => r.note) },
    ],
    metadata,
  );
}

export async function readSimilarity(path: string): Promise<SimilarityRow[]> {
  const table = await readArtifact(path, similarityStage.outputs.similarity.schema, 'similarity');
  const column = <T>(name: string) => columnValues<T>(table, name);
  const [measures, classNames, values, pValues, sourceImages, targetImages, notes] = [
    column<string>('measure'), column<string | null>('class_name'), column<number>('value'), column<number | null>('p_value'),
    column<number>('source_images'), column<number>('target_images'), column<string | null>('note'),
  ];
  return measures.map((measure, i) => ({
    measure, className: classNames[i] ?? null, value: values[i]!, pValue: pValues[i] ?? null, sourceImages: sourceImages[i]!, targetImages: targetImages[i]!, note: notes[i] ?? null,
  }));
}
