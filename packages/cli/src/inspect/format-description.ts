import stringify from 'json-stringify-pretty-compact';
import type { ArtifactDescription } from './describe-artifact.js';

/** Widest a table cell gets before it is cut with "…". */
const CELL_WIDTH = 36;
/** Values of a list cell shown before "…". */
const LIST_VALUES = 3;

/** `graft inspect` for people: the description as aligned, readable text. */
export function formatDescription(description: ArtifactDescription): string {
  switch (description.kind) {
    case 'parquet': {
      const lines = [`${description.path}`, `Parquet, ${description.rows} row${description.rows === 1 ? '' : 's'}, schema ${description.schema ?? '(not a Graft artifact)'}`, '', 'columns:'];
      const nameWidth = Math.max(...description.columns.map((c) => c.name.length));
      for (const column of description.columns) lines.push(`  ${column.name.padEnd(nameWidth)}  ${column.type}${column.nullable ? ' (nullable)' : ''}`);
      if (description.provenance) lines.push('', 'provenance:', indent(prettyJson(description.provenance)));
      lines.push('', `first ${description.firstRows.length} row${description.firstRows.length === 1 ? '' : 's'}:`, indent(formatTable(description.columns.map((c) => c.name), description.firstRows)));
      return lines.join('\n');
    }
    case 'json':
      return `${description.path}\n${prettyJson(description.content)}`;
    case 'text':
      return [`${description.path}`, `text, ${description.lines} line${description.lines === 1 ? '' : 's'}${description.firstLines.length < description.lines ? ` (first ${description.firstLines.length})` : ''}:`, ...description.firstLines.map((line) => `  ${line}`)].join('\n');
    case 'file':
      return `${description.path}\n${description.bytes} bytes, sha256 ${description.sha256}`;
    case 'stage': {
      const width = Math.max(0, ...description.files.map((f) => f.file.length));
      const files = description.files.map((f) => `  ${f.file.padEnd(width)}  ${formatBytes(f.bytes)}`);
      return [`${description.path}`, 'files:', ...files, '', 'provenance:', indent(prettyJson(description.provenance))].join('\n');
    }
  }
}

/** Rows as an aligned text table, long cells cut. */
export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cells = rows.map((row) => columns.map((column) => cut(formatCell(row[column]))));
  const widths = columns.map((column, c) => Math.max(column.length, ...cells.map((row) => row[c]!.length)));
  const line = (values: readonly string[]) => values.map((value, c) => value.padEnd(widths[c]!)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)].join('\n');
}

function formatCell(value: unknown, digits = 6): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(digits)));
  if (Array.isArray(value)) return `[${value.slice(0, LIST_VALUES).map((item) => formatCell(item, 4)).join(', ')}${value.length > LIST_VALUES ? ', …' : ''}] (${value.length})`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function cut(text: string): string {
  return text.length > CELL_WIDTH ? `${text.slice(0, CELL_WIDTH - 1)}…` : text;
}

function indent(text: string): string {
  return text.split('\n').map((line) => `  ${line}`).join('\n');
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** Indented JSON that keeps short arrays and objects on one line. */
export function prettyJson(value: unknown): string {
  return stringify(value, { maxLength: 100 });
}
