import type { SimilarityRow } from './measure-similarity.js';

/** Plain-language reading of the proxy A-distance (0 … 2). */
export function closeness(proxyADistance: number): string {
  if (proxyADistance < 0.5) return 'close';
  if (proxyADistance < 1.0) return 'somewhat apart';
  if (proxyADistance < 1.5) return 'apart';
  return 'far apart';
}

/** One line for people: e.g. "far apart: proxy A-distance 1.7 of 2; MMD test: the distributions differ (p = 0.002)". */
export function similarityLine(rows: readonly SimilarityRow[]): string {
  const whole = (measure: string) => rows.find((row) => row.measure === measure && row.className === null);
  const pad = whole('proxy_a_distance');
  const mmd = whole('mmd_gaussian');
  const parts: string[] = [];
  if (pad) {
    const accuracy = 1 - (2 - pad.value) / 4;
    parts.push(`${closeness(pad.value)}: proxy A-distance ${pad.value.toFixed(2)} of 2 (a linear classifier tells the domains apart ${(100 * accuracy).toFixed(0)}% of the time)`);
  }
  if (mmd && mmd.pValue !== null) {
    parts.push(mmd.pValue < 0.05 ? `MMD test: the feature distributions differ (p = ${formatP(mmd.pValue)})` : `MMD test: no significant difference (p = ${formatP(mmd.pValue)})`);
  }
  return parts.join('; ');
}

function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}
