/** The report's stylesheet, inlined in the page (nothing is loaded from anywhere). */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #667085; --line: #e4e7ec; --accent: #1f5fbf; --bad: #b42318; --bg-soft: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: white; }
header, main, footer { max-width: 1080px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; padding-bottom: 12px; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 6px; font-weight: 600; }
h2 { font-size: 17px; margin: 36px 0 10px; font-weight: 600; }
h3 { font-size: 15px; margin: 18px 0 6px; font-weight: 600; }
.headline { font-size: 30px; font-weight: 650; margin: 6px 0; }
.facts { color: var(--muted); margin: 0; }
nav { margin-top: 10px; display: flex; flex-wrap: wrap; gap: 6px 16px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.note { color: var(--muted); margin: 6px 0 12px; max-width: 760px; }
.warning { background: #fff6e5; border: 1px solid #f5c26b; border-radius: 6px; padding: 8px 12px; max-width: 760px; }
figure { margin: 0; }
.chart { overflow-x: auto; }
.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; background: var(--bg-soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: 600; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.mistakes { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 14px; }
.mistake, .finding { border: 1px solid var(--line); border-radius: 8px; padding: 8px; background: var(--bg-soft); }
.mistake img, .mistake .no-image, .finding img, .finding .no-image { display: block; width: 96px; height: 96px; object-fit: contain; margin: 0 auto 6px; background: white; border-radius: 4px; }
.mistake .no-image, .finding .no-image { display: flex; align-items: center; justify-content: center; text-align: center; font-size: 11px; color: var(--muted); padding: 4px; }
.mistake p, .finding p { margin: 0; font-size: 12px; }
.mistake .predicted, .finding .predicted { color: var(--bad); }
.mistake .path, .finding .path { color: var(--muted); overflow-wrap: anywhere; }
.pairs { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 14px; }
.pair { border: 1px solid var(--line); border-radius: 8px; padding: 4px 10px 10px; }
.pair p { margin: 4px 0; font-size: 13px; }
.stages { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 14px; }
.stage { border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 10px; min-width: 0; }
.stage table { width: 100%; table-layout: fixed; font-size: 13px; margin: 0; }
.stage th { width: 45%; background: none; font-weight: normal; color: var(--muted); overflow-wrap: anywhere; }
footer { color: var(--muted); border-top: 1px solid var(--line); margin-top: 40px; padding-top: 12px; padding-bottom: 28px; }
`;
