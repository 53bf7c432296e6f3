/**
 * The doctor on a dataset: runs `graft doctor` (timed, stage by stage from its log) on a project
 * whose split, extract and train already ran, prints what it found, and draws the top of each
 * finding as a contact sheet (PNG) for the README.
 *
 *   npm run build && node bench/dist/doctor-findings.js --data <folder> --out <artifacts> [--sheet docs/doctor-x.png] [--title "…"]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { readDoctorTable } from '@graft/doctor';
import { REPO_ROOT } from './project-copy.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' }, sheet: { type: 'string' }, title: { type: 'string', default: '' }, force: { type: 'boolean', default: true } } });
if (!values.data || !values.out) throw new Error('--data <folder> --out <artifacts folder> are required');
const cli = join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js');

const started = performance.now();
const child = spawnSync(process.execPath, [cli, 'doctor', '--data', values.data, '--out', values.out, ...(values.force ? ['--force'] : [])], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, CI: '1' } });
if (child.status !== 0) throw new Error(`graft doctor failed: ${child.stderr}`);
const log = `${child.stderr}${child.stdout}`;
const seconds = (performance.now() - started) / 1000;
const summary = JSON.parse(readFileSync(join(values.out, 'doctor', 'summary.json'), 'utf8'));
process.stdout.write(`${log.trim()}\ngraft doctor: ${seconds.toFixed(1)} s wall for ${summary.images} images (process start-up included)\n${JSON.stringify(summary)}\n`);

if (values.sheet) {
  const TILE = 96;
  const LABEL = 30;
  const PER_ROW = 8;
  const tile = async (path: string, caption: string) => {
    const image = await sharp(readFileSync(join(values.data!, path))).flatten({ background: '#ffffff' }).resize(TILE, TILE, { fit: 'contain', background: '#ffffff' }).png().toBuffer();
    const text = caption.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const label = await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${TILE}" height="${LABEL}"><text x="2" y="12" font-size="10" font-family="sans-serif">${text.slice(0, 18)}</text><text x="2" y="25" font-size="10" font-family="sans-serif" fill="#b42318">${text.slice(18, 36)}</text></svg>`)).png().toBuffer();
    return { image, label };
  };
  const rows: { title: string; tiles: { path: string; caption: string }[] }[] = [];
  const duplicates = (await readDoctorTable(join(values.out, 'doctor', 'duplicates.parquet'), 'duplicates')).filter((p) => p.finding !== 'same-class').slice(0, PER_ROW / 2);
  rows.push({ title: 'duplicates across classes / splits (pairs)', tiles: duplicates.flatMap((p) => [{ path: String(p.path_a), caption: `${p.class_name_a} ${p.split_a}` }, { path: String(p.path_b), caption: `${p.class_name_b} ${p.split_b}` }]) });
  const issues = (await readDoctorTable(join(values.out, 'doctor', 'label-issues.parquet'), 'labelIssues')).slice(0, PER_ROW);
  rows.push({ title: 'likely label errors (folder → suggested)', tiles: issues.map((r) => ({ path: String(r.path), caption: `${String(r.class_name).padEnd(18).slice(0, 18)}→ ${r.suggested_class}` })) });
  const outliers = (await readDoctorTable(join(values.out, 'doctor', 'outliers.parquet'), 'outliers')).slice(0, PER_ROW);
  rows.push({ title: 'outliers (farthest from every class)', tiles: outliers.map((r) => ({ path: String(r.path), caption: `${r.class_name} z ${Number(r.robust_z).toFixed(1)}` })) });
  for (const row of rows.filter((r) => r.tiles.length === 0)) process.stdout.write(`contact sheet: no ${row.title}\n`);
  rows.splice(0, rows.length, ...rows.filter((r) => r.tiles.length > 0));
  const HEADER = 20;
  const rowHeight = HEADER + TILE + LABEL + 8;
  const width = PER_ROW * (TILE + 6) + 6;
  const composites: { input: Buffer; top: number; left: number }[] = [];
  for (const [r, row] of rows.entries()) {
    const top = r * rowHeight;
    composites.push({ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEADER}"><text x="6" y="15" font-size="13" font-weight="bold" font-family="sans-serif">${row.title}</text></svg>`), top, left: 0 });
    for (const [i, t] of row.tiles.entries()) {
      const { image, label } = await tile(t.path, t.caption);
      composites.push({ input: image, top: top + HEADER, left: 6 + i * (TILE + 6) }, { input: label, top: top + HEADER + TILE, left: 6 + i * (TILE + 6) });
    }
  }
  mkdirSync(dirname(values.sheet), { recursive: true });
  await sharp({ create: { width, height: rows.length * rowHeight, channels: 3, background: '#ffffff' } }).composite(composites).png().toFile(values.sheet);
  process.stdout.write(`contact sheet: ${values.sheet}\n`);
}
