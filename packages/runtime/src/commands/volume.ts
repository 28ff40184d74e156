// SPDX-License-Identifier: Apache-2.0
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import type { Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { action, collect, newCommand, storeRoot, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, OutputWriter } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { createVolumeWithEvents, removeVolumesWithEvents } from '../service/store-objects.js';
import { eventSink } from './support.js';
import {
  exportVolume,
  formatVolumes,
  getVolume,
  importVolume,
  listVolumes,
  parseLabels,
  volumeUsers,
  writeStreamAtomic,
} from '../volume/index.js';

interface CreateFlags {
  label?: string[];
}
interface LsFlags {
  quiet?: boolean;
  format?: string;
}
interface RmFlags {
  force?: boolean;
}

/** `vordr volume create | ls | rm | inspect | import | export` (05 §3, §10.2). */
export function makeVolumeCommand(deps: CliDeps, box: ResultBox): Command {
  const volume = newCommand('volume', 'manage named volumes');
  volume.addCommand(
    newCommand('create', 'create a volume (a name is generated when none is given)')
      .argument('[name]')
      .option('--label <k=v>', 'a label (repeatable)', collect)
      .action(
        action<[string | undefined], CreateFlags>(box, async ([name], flags) => {
          const record = await createVolumeWithEvents(eventSink(deps, flags), {
            ...(name !== undefined ? { name } : {}),
            labels: parseLabels(flags.label ?? []),
            now: deps.clock.now(),
          });
          return {
            exitCode: 0,
            stdout: flags.json === true ? jsonLine(record) : `${record.name}\n`,
          };
        }),
      ),
  );
  volume.addCommand(
    newCommand('ls', 'list volumes', ['quiet'])
      .option('-q, --quiet', 'print names only')
      .option('--format <format>', 'table, json or a template such as {{.Name}}')
      .action(
        action<[], LsFlags>(box, async (_args, flags) => {
          const volumes = await listVolumes(storeRoot(deps, flags));
          const format = flags.format ?? (flags.json === true ? 'json' : 'table');
          return {
            exitCode: 0,
            stdout: formatVolumes(volumes, {
              format,
              ...(flags.quiet === true ? { quiet: true } : {}),
            }),
          };
        }),
      ),
  );
  volume.addCommand(
    newCommand('rm', 'remove volumes')
      .argument('<name...>')
      .option('-f, --force', 'remove volumes containers use')
      .action(
        action<[string[]], RmFlags>(box, async ([names], flags) => {
          const removed = await removeVolumesWithEvents(eventSink(deps, flags), names, {
            ...(flags.force === true ? { force: true } : {}),
          });
          return {
            exitCode: 0,
            stdout:
              flags.json === true ? jsonLine({ removed }) : removed.map((n) => `${n}\n`).join(''),
          };
        }),
      ),
  );
  volume.addCommand(
    newCommand('inspect', 'show a volume')
      .argument('<name>')
      .action(
        action<[string], object>(box, async ([name], flags) => {
          const root = storeRoot(deps, flags);
          const record = await getVolume(root, name);
          const usedBy = await volumeUsers(root, name);
          return { exitCode: 0, stdout: `${JSON.stringify({ ...record, usedBy }, null, 2)}\n` };
        }),
      ),
  );
  volume.addCommand(
    newCommand('import', 'unpack a tar (or gzip tar) into a volume; - reads stdin')
      .argument('<name>')
      .argument('<file>')
      .action(
        action<[string, string], object>(box, async ([name, file], flags) => {
          const source: Readable =
            file === '-' ? process.stdin : createReadStream(resolve(deps.cwd, file));
          const count = await importVolume(storeRoot(deps, flags), name, source);
          return {
            exitCode: 0,
            stdout: flags.json === true ? jsonLine({ name, entries: count }) : '',
          };
        }),
      ),
  );
  volume.addCommand(
    newCommand('export', "write a volume's content as a tar (default: to stdout)")
      .argument('<name>')
      .argument('[file]')
      .action(
        action<[string, string | undefined], object>(box, async ([name, file], flags) => {
          const root = storeRoot(deps, flags);
          if (file === undefined || file === '-') {
            if (flags.json === true) {
              throw new VcError('USAGE', '--json needs a file: the tar goes to stdout');
            }
            await exportVolume(root, name, writerStream(deps.stdout));
            return { exitCode: 0 };
          }
          let count = 0;
          await writeStreamAtomic(resolve(deps.cwd, file), async (sink) => {
            count = await exportVolume(root, name, sink);
          });
          return {
            exitCode: 0,
            stdout: flags.json === true ? jsonLine({ name, file, entries: count }) : '',
          };
        }),
      ),
  );
  return volume;
}

/** A Writable over the CLI's output writer (binary safe). */
function writerStream(out: OutputWriter): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.write(new Uint8Array(chunk));
      callback();
    },
  });
}
