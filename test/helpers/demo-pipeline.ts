import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graft } from './graft-cli.js';
import { REPO_ROOT } from './project-copy.js';

/** The demo images (noto style, 5 classes, 274 images). */
export const DEMO = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');

/** Quick settings for tests: the fast backbone and a short, larger-step training. */
export const QUICK_PIPELINE = ['--backbone', 'mobilenet_v2', '--steps', '1000', '--learning-rate', '0.1'];

/** `graft run` on the demo data into a new folder (flags in `extra` replace the quick ones); returns it with the per-stage JSON summary. */
export async function runDemoPipeline(extra: readonly string[] = []): Promise<{ out: string; summary: Record<string, Record<string, unknown>> }> {
  const out = mkdtempSync(join(tmpdir(), 'graft-demo-'));
  const quick = QUICK_PIPELINE.filter((arg, i) => !extra.includes(arg.startsWith('--') ? arg : QUICK_PIPELINE[i - 1]!));
  const result = await graft(['run', '--data', DEMO, '--out', out, '--json', '--quiet', ...quick, ...extra]);
  if (result.code !== 0) throw new Error(`graft run failed (${result.code}): ${result.stderr}`);
  return { out, summary: JSON.parse(result.stdout) };
}
