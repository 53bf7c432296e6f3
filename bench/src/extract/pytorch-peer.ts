import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../project-copy.js';
import { findPython, PYTHON_CANDIDATES } from '../head/reference.js';

/** The backbones with a torchvision counterpart (bench/reference/torch_peer.py). */
export const PEER_MODELS: ReadonlySet<string> = new Set(['inception_v3', 'mobilenet_v2']);

export interface PeerRates {
  readonly torch: string;
  readonly threads: number;
  readonly batch: number;
  readonly input_size: number;
  readonly bare_img_per_s: number;
  readonly end_to_end_img_per_s: number;
  readonly end_to_end_images: number;
}

export type PeerResult = ({ readonly available: true } & PeerRates) | { readonly available: false; readonly reason: string };

interface ScriptOutput {
  torch: string;
  threads: number;
  batch: number;
  models: Record<string, Omit<PeerRates, 'torch' | 'threads' | 'batch'>>;
}

/**
 * torchvision's counterpart of a Graft backbone timed by bench/reference/torch_peer.py with Debian's
 * PyTorch (random weights, `threads` threads, batches of 8, bare best of 6 batches; end to end over
 * the first `images` files of `folder`, PIL decode + bilinear resize). Unavailable, with the reason,
 * when the backbone has no counterpart, no Python imports torch and torchvision, or the script fails.
 */
export function pytorchPeer(backbone: string, folder: string, options: { threads: number; images?: number; timeoutSeconds?: number }): PeerResult {
  if (!PEER_MODELS.has(backbone)) return { available: false, reason: `no torchvision counterpart for ${backbone}` };
  const python = findPython('torch, torchvision');
  if (!python) return { available: false, reason: `no Python imports torch and torchvision (tried ${PYTHON_CANDIDATES.join(', ')}; apt-get install python3-torch python3-torchvision)` };
  const script = join(REPO_ROOT, 'bench', 'reference', 'torch_peer.py');
  const args = [script, folder, '--models', backbone, '--threads', String(options.threads), '--images', String(options.images ?? 96)];
  const result = spawnSync(python, args, { encoding: 'utf8', timeout: (options.timeoutSeconds ?? 900) * 1000 });
  if (result.status !== 0) {
    const why = result.error ? result.error.message : result.signal ? `killed by ${result.signal}` : `exit ${result.status}`;
    return { available: false, reason: `${python} ${script} failed (${why}): ${result.stderr.trim().split('\n').at(-1) ?? ''}` };
  }
  const output = JSON.parse(result.stdout) as ScriptOutput;
  return { available: true, torch: output.torch, threads: output.threads, batch: output.batch, ...output.models[backbone]! };
}

/** The bench row's peer fields and a line saying how Graft compares (or that the peer was skipped). */
export function comparePeer(peer: PeerResult, graft: { bare: number; endToEnd: number }): { fields: Record<string, unknown>; line: string } {
  if (!peer.available) return { fields: { peer: { skipped: peer.reason } }, line: `skipped the PyTorch peer: ${peer.reason}` };
  const { available: _, ...rates } = peer;
  const endToEnd = Number((graft.endToEnd / peer.end_to_end_img_per_s).toFixed(2));
  const bare = Number((graft.bare / peer.bare_img_per_s).toFixed(2));
  return {
    fields: { peer: rates, ratio_end_to_end_over_peer_end_to_end: endToEnd, ratio_bare_over_peer_bare: bare },
    line: `PyTorch ${peer.torch} peer (torchvision, ${peer.threads} threads, batch ${peer.batch}): bare ${peer.bare_img_per_s.toFixed(1)} img/s, end to end ${peer.end_to_end_img_per_s.toFixed(1)} img/s (${peer.end_to_end_images} files, PIL) → Graft ${endToEnd}× end to end, ${bare}× bare`,
  };
}
