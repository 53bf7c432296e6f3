import type { TargetEvaluation } from '../target-evaluation.js';
import { escapeHtml, percent } from './html-text.js';

/** The report's domain-adaptation section: every model on the target, the recommended one marked, and the rule that chose it without target labels. */
export function adaptationHtml(adaptation: TargetEvaluation): string {
  const rows = adaptation.methods
    .map((m) => `<tr${m.recommended ? ' class="recommended"' : ''}><td>${escapeHtml(m.method)}${m.recommended ? ' <b>(recommended)</b>' : ''}</td><td class="num">${adaptation.targetLabelled ? percent(m.target_accuracy) : '—'}</td><td class="num">${percent(m.source_accuracy)}</td><td>${escapeHtml(m.verdict ?? m.selection)}</td></tr>`)
    .join('\n');
  const recommended = adaptation.recommended
    ? `<p id="recommended-model"><b>Recommended model: ${escapeHtml(adaptation.recommended)}</b> — graft export deploys it. Rule (no target labels): ${escapeHtml(adaptation.recommendationRule ?? '')}.</p>`
    : '';
  return `${adaptation.similarity ? `<p>Domain similarity: ${escapeHtml(adaptation.similarity)}</p>` : ''}
${recommended}
<table id="adaptation-table"><thead><tr><th>model</th><th class="num">target test accuracy (N=${adaptation.targetTestImages})</th><th class="num">source test accuracy</th><th>verdict without target labels</th></tr></thead><tbody>
${rows}
</tbody></table>
${adaptation.note ? `<p class="note">${escapeHtml(adaptation.note)}</p>` : ''}`;
}
