import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A temporary sibling path of `path`, unique to this process. */
export function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Write a file so that readers see either the old or the complete new content, never a part. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporarySibling(path);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Whether a process with this pid is alive (on this machine). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove temporary files and folders in `directory` left behind by processes that died (e.g. kill -9). */
export async function removeStaleTemporaries(directory: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^\..+\.tmp-(\d+)-[0-9a-f]{8}(\.old)?$/.exec(name);
    if (match && !isAlive(Number(match[1]))) await rm(join(directory, name), { recursive: true, force: true });
  }
}

/**
 * Run `critical` holding an exclusive lock file (other processes wait; a lock left by a dead
 * process is taken over).
 */
export async function withLock<T>(lockPath: string, critical: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(lockPath, 'utf8').catch(() => ''));
      if (holder && !isAlive(holder)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() - started > timeoutMs) throw new Error(`${lockPath} is held by process ${holder || '?'} for more than ${timeoutMs / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await critical();
  } finally {
    await rm(lockPath, { force: true });
  }
}

/**
 * Build a directory in a temporary sibling and move it into place only when `build` succeeds:
 * a failed or interrupted stage leaves the previous output untouched and no partial one.
 */
export async function replaceDirectoryAtomic(path: string, build: (temporaryDir: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await removeStaleTemporaries(dirname(path));
  const temporary = temporarySibling(path);
  await mkdir(temporary, { recursive: true });
  try {
    await build(temporary);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  // Two runs of the same stage may finish together: the swap is done under a lock, last one wins.
  await withLock(join(dirname(path), `.${basename(path)}.lock`), async () => {
    const previous = temporarySibling(path) + '.old';
    await rename(path, previous).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(temporary, path);
    await rm(previous, { recursive: true, force: true });
  });
}
