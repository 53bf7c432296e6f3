import { domainOf, type Domain } from '@graft/split/tables';
import type { Bottlenecks } from './tables.js';

/** The bottlenecks of one domain only (rows and features; same provenance). */
export function selectDomain(bottlenecks: Bottlenecks, domain: Domain): Bottlenecks {
  const { rows, features, featureDim } = bottlenecks;
  if (rows.every((row) => domainOf(row) === domain)) return bottlenecks;
  const indices = rows.flatMap((row, i) => (domainOf(row) === domain ? [i] : []));
  const selected = new Float32Array(indices.length * featureDim);
  indices.forEach((rowIndex, i) => selected.set(features.subarray(rowIndex * featureDim, (rowIndex + 1) * featureDim), i * featureDim));
  return { ...bottlenecks, rows: indices.map((i) => rows[i]!), features: selected };
}
