import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root (this file is bench/src/ or bench/dist/). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/**
 * A throwaway copy of the project's committed files, with a node_modules made of symlinks into the
 * real one (workspace packages pointing at the copy), initialised as its own git repository —
 * enough for turbo and the graft CLI to run there without touching the real checkout.
 */
export function copyProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'graft-project-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of files) {
    try {
      cpSync(join(REPO_ROOT, file), join(root, file));
    } catch {
      // a file listed by git but deleted in the working tree
    }
  }
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, '@graft'), { recursive: true });
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    if (entry === '@graft' || entry === 'graft') continue;
    symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(modules, entry));
  }
  // Workspace packages resolve to the copy's own folders; dependencies npm nested inside a package
  // (packages/<folder>/node_modules, where hoisting would conflict) come along too.
  for (const folder of readdirSync(join(root, 'packages'))) {
    const name = (JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) as { name: string }).name;
    symlinkSync(join(root, 'packages', folder), join(modules, name));
    const nested = join(REPO_ROOT, 'packages', folder, 'node_modules');
    if (existsSync(nested)) symlinkSync(nested, join(root, 'packages', folder, 'node_modules'));
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
  git('init', '-q');
  git('-c', 'user.email=test@graft', '-c', 'user.name=test', 'add', '-A');
  git('-c', 'user.email=test@graft', '-c', 'user.name=test', 'commit', '-qm', 'copy');
  return root;
}
