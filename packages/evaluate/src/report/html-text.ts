/** Text and values made safe for HTML: class names, paths and reasons come from the user's files. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** 0.7273 → "72.7%"; null (undefined metric, e.g. precision of a never-predicted class) → "—". */
export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '—' : `${(100 * value).toFixed(digits)}%`;
}

/** A sha256 or similar long hex string, shortened for reading; the full value stays in the title. */
export function shortHash(hash: string): string {
  return `<code class="hash" title="${escapeHtml(hash)}">${escapeHtml(hash.slice(0, 12))}…</code>`;
}

const LONG_HEX = /^[0-9a-f]{32,}$/;

/** A plain JSON value as HTML: long hashes shortened, lists of plain values comma-separated. */
export function valueHtml(value: unknown): string {
  if (value === null || value === undefined) return '<span class="muted">—</span>';
  if (typeof value === 'string') return LONG_HEX.test(value) ? shortHash(value) : value === '' ? '<span class="muted">(empty)</span>' : `<code>${escapeHtml(value)}</code>`;
  if (Array.isArray(value)) return value.length ? value.map((item) => valueHtml(item)).join(', ') : '<span class="muted">none</span>';
  if (typeof value === 'object') return Object.keys(value).length ? `<code>${escapeHtml(JSON.stringify(value))}</code>` : '<span class="muted">none</span>';
  return `<code>${escapeHtml(String(value))}</code>`;
}

/**
 * A nested record (a provenance record) as rows of dotted key paths and values, keys sorted:
 * `{backbone: {id: 'x'}}` → `[['backbone.id', 'x']]`. Arrays of objects stay whole values.
 */
export function flattenRecord(record: Readonly<Record<string, unknown>>, prefix = ''): [string, unknown][] {
  return Object.keys(record)
    .sort()
    .flatMap((key) => {
      const value = record[key];
      const path = prefix ? `${prefix}.${key}` : key;
      return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0
        ? flattenRecord(value as Record<string, unknown>, path)
        : [[path, value] as [string, unknown]];
    });
}
