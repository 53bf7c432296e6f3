import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CommandModule } from 'yargs';
import { addOutputOptions, GraftError, loadProject, turboConfig, writeFileAtomic } from '@graft/core/base';
import { ALL_STAGES } from '../stages.js';

/** turbo.json as the stage declarations and graft.config.json say it must be. */
export function expectedTurboConfig(): { path: string; config: Record<string, unknown> } {
  const project = loadProject();
  if (!project.root || !project.data || !project.paramsDir) throw new GraftError('turbo-config needs a project folder with graft.config.json naming "data"');
  const folder = (path: string) => relative(project.root!, path).split('\\').join('/');
  const config = turboConfig(ALL_STAGES.map((d) => d.spec), { artifacts: folder(project.out), params: folder(project.paramsDir), data: folder(project.data), ...(project.target ? { target: folder(project.target) } : {}) });
  return { path: join(project.root, 'turbo.json'), config };
}

/** `graft turbo-config`: print or write turbo.json, or check that it is current. */
export const turboConfigCommand: CommandModule = {
  command: 'turbo-config',
  describe: 'Print turbo.json as derived from the stage declarations (--write to update it, --check to verify it).',
  builder: (yargs) => addOutputOptions(yargs).option('write', { type: 'boolean', describe: 'Write turbo.json' }).option('check', { type: 'boolean', describe: 'Exit 1 if turbo.json differs' }),
  handler: async (argv) => {
    const { path, config } = expectedTurboConfig();
    const text = `${JSON.stringify(config, null, 2)}\n`;
    if (argv.write) {
      await writeFileAtomic(path, text);
      if (argv.json) process.stdout.write(`${JSON.stringify({ path, written: true })}\n`);
      else if (!argv.quiet) process.stderr.write(`turbo-config: wrote ${path}\n`);
    } else if (argv.check) {
      if (readFileSync(path, 'utf8') !== text) throw new GraftError(`${path} is out of date with the stage declarations: run \`graft turbo-config --write\``);
      if (argv.json) process.stdout.write(`${JSON.stringify({ path, upToDate: true })}\n`);
    } else process.stdout.write(argv.json ? `${JSON.stringify(config)}\n` : text);
  },
};
