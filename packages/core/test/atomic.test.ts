import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceDirectoryAtomic } from '../src/index.js';

describe('replaceDirectoryAtomic', () => {
  it('keeps the previous output and leaves no partial folder when building fails', async () => {
    const root = mkdtempSync(join(tmpdir(), 'graft-atomic-'));
    const target = join(root, 'stage');
    await replaceDirectoryAtomic(target, async (dir) => writeFileSync(join(dir, 'a.txt'), 'first'));
    await expect(
      replaceDirectoryAtomic(target, async (dir) => {
        writeFileSync(join(dir, 'a.txt'), 'partial');
        throw new Error('interrupted');
      }),
    ).rejects.toThrow('interrupted');
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('first');
    expect(readdirSync(root)).toEqual(['stage']);
  });

  it('replaces the folder when building succeeds', async () => {
    const root = mkdtempSync(join(tmpdir(), 'graft-atomic-'));
    const target = join(root, 'stage');
    await replaceDirectoryAtomic(target, async (dir) => writeFileSync(join(dir, 'old.txt'), 'x'));
    await replaceDirectoryAtomic(target, async (dir) => writeFileSync(join(dir, 'new.txt'), 'y'));
    expect(readdirSync(target)).toEqual(['new.txt']);
  });
});
