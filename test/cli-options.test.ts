import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { COMMANDS } from '../packages/cli/src/commands/index.js';
import { graft } from './helpers/graft-cli.js';

/** The option names a command's builder declares. */
function optionsOf(command: (typeof COMMANDS)[number]): string[] {
  const parser = yargs([]);
  const builder = command.builder;
  const built = typeof builder === 'function' ? (builder(parser) as Argv) : parser.options(builder ?? {});
  return built.getOptions().key ? Object.keys(built.getOptions().key) : [];
}

describe('every graft command', () => {
  it('takes --quiet and --json', () => {
    expect(COMMANDS.map((c) => String(c.command).split(' ')[0])).toEqual(['run', 'split', 'extract', 'similarity', 'train', 'doctor', 'adapt', 'evaluate', 'export', 'finetune', 'predict', 'status', 'inspect', 'backbones', 'turbo-config']);
    for (const command of COMMANDS) expect(optionsOf(command), String(command.command)).toEqual(expect.arrayContaining(['quiet', 'json']));
  });

  it('prints one JSON document on stdout with --json', async () => {
    const backbones = JSON.parse((await graft(['backbones', '--json'])).stdout);
    expect(backbones.map((b: { id: string }) => b.id)).toContain('mobilenet_v2');
    expect(JSON.parse((await graft(['turbo-config', '--check', '--json'])).stdout)).toMatchObject({ upToDate: true });
  });
});
