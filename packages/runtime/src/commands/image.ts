// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { action, collect, newCommand, storeRoot, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { listImages } from '../image/list-images.js';
import { formatImageIds, formatImages, inspectImage, shortDigest } from '../image-load/index.js';
import { loadImageWithEvents, removeImagesWithEvents } from '../service/store-objects.js';
import { eventSink } from './support.js';

interface LoadFlags {
  tag?: string[];
}
interface LsFlags {
  quiet?: boolean;
  digests?: boolean;
  format?: string;
}
interface RmFlags {
  force?: boolean;
}

/** `vordr image load | ls | rm | inspect` (05 §3, §10.1); pull and push come later. */
export function makeImageCommand(deps: CliDeps, box: ResultBox): Command {
  const image = newCommand('image', 'manage images of the store');
  image.addCommand(
    newCommand('load', 'load a .ctp package, an OCI layout directory or an OCI archive')
      .argument('<file>')
      .option('--tag <name:tag>', 'also tag the image (repeatable)', collect)
      .action(
        action<[string], LoadFlags>(box, async ([file], flags) => {
          const result = await loadImageWithEvents(eventSink(deps, flags), {
            root: storeRoot(deps, flags),
            source: resolve(deps.cwd, file),
            tags: flags.tag ?? [],
          });
          if (flags.json === true) return { exitCode: 0, stdout: jsonLine(result) };
          const lines = result.images.flatMap((i) =>
            i.refs.map((ref) => `Loaded image ${ref} (${shortDigest(i.digest)})\n`),
          );
          return { exitCode: 0, stdout: lines.join('') };
        }),
      ),
  );
  image.addCommand(
    newCommand('ls', 'list images', ['quiet'])
      .option('-q, --quiet', 'print image digests only')
      .option('--digests', 'print full digests')
      .option('--format <format>', 'table, json or a template such as {{.Repository}}')
      .action(
        action<[], LsFlags>(box, async (_args, flags) => {
          const rows = await listImages(storeRoot(deps, flags));
          if (flags.quiet === true) {
            return { exitCode: 0, stdout: formatImageIds(rows, flags.digests === true) };
          }
          const format = flags.format ?? (flags.json === true ? 'json' : 'table');
          return {
            exitCode: 0,
            stdout: formatImages(rows, format, {
              now: deps.clock.now(),
              ...(flags.digests === true ? { digests: true } : {}),
            }),
          };
        }),
      ),
  );
  image.addCommand(
    newCommand('rm', 'remove image tags; the image goes with its last tag')
      .argument('<ref...>')
      .option('-f, --force', 'remove images containers use')
      .action(
        action<[string[]], RmFlags>(box, async ([refs], flags) => {
          const removed = await removeImagesWithEvents(eventSink(deps, flags), {
            root: storeRoot(deps, flags),
            refs,
            ...(flags.force === true ? { force: true } : {}),
          });
          if (flags.json === true) return { exitCode: 0, stdout: jsonLine({ removed }) };
          const lines = removed.flatMap((r) => [
            ...r.untagged.map((t) => `Untagged: ${t}\n`),
            ...(r.deleted ? [`Deleted: ${r.digest}\n`] : []),
          ]);
          return { exitCode: 0, stdout: lines.join('') };
        }),
      ),
  );
  image.addCommand(
    newCommand('inspect', 'show an image')
      .argument('<ref>')
      .action(
        action<[string], object>(box, async ([ref], flags) => ({
          exitCode: 0,
          stdout: `${JSON.stringify(await inspectImage(storeRoot(deps, flags), ref), null, 2)}\n`,
        })),
      ),
  );
  for (const name of ['pull', 'push']) {
    image.addCommand(
      newCommand(name, `${name} an image (not available yet)`)
        .allowUnknownOption(true)
        .allowExcessArguments(true)
        .action(
          action<[], object>(box, () =>
            Promise.reject(
              new VcError('UNSUPPORTED', `vordr image ${name} is not implemented yet`, {
                hint: 'move images as .ctp packages: cerro-torre export, then vordr image load',
              }),
            ),
          ),
        ),
    );
  }
  return image;
}
