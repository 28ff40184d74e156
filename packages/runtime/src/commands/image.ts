// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { LineProgress, type TaskProgress } from '@verified-container/host';
import { action, collect, newCommand, storeRoot, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { listImages } from '../image/list-images.js';
import type { RegistryFlags } from '../image-registry/registry-flags.js';
import {
  formatImageIds,
  formatImages,
  inspectImage,
  loadImage,
  removeImages,
  shortDigest,
} from '../image-load/index.js';

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
interface PullFlags extends RegistryFlags {
  quiet?: boolean;
}

/** `vordr image load | ls | rm | inspect | pull | push` (05 §3, §10.1). */
export function makeImageCommand(deps: CliDeps, box: ResultBox): Command {
  const image = newCommand('image', 'manage images of the store');
  // The registry client is loaded by pull and push only.
  const registry = async (flags: RegistryFlags) => {
    const mod = await import('../image-registry/index.js');
    const env = { env: deps.env, homeDir: deps.homeDir, logger: deps.logger };
    return { ...mod, openClient: mod.registryOpener(flags, env) };
  };
  const progressOf = (flags: { quiet?: boolean }): { progress?: TaskProgress } =>
    flags.quiet === true ? {} : { progress: new LineProgress((line) => deps.stderr.write(line)) };
  image.addCommand(
    newCommand('load', 'load a .ctp package, an OCI layout directory or an OCI archive')
      .argument('<file>')
      .option('--tag <name:tag>', 'also tag the image (repeatable)', collect)
      .action(
        action<[string], LoadFlags>(box, async ([file], flags) => {
          const result = await loadImage({
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
          const removed = await removeImages({
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
  const registryOptions = (cmd: Command): Command =>
    cmd
      .option(
        '--tls-verify [bool]',
        'verify TLS; false = plain http to the registry (default true)',
      )
      .option('--creds <user:pass>', 'credentials for the registry (instead of the auth files)')
      .option('--authfile <file>', 'read credentials from this auth.json only');
  image.addCommand(
    registryOptions(
      newCommand('pull', 'pull an image and its attestation bundle from a registry', ['quiet'])
        .argument('<ref>', 'host/repo[:tag][@sha256:<hex>]')
        .option('-q, --quiet', 'no progress lines'),
    ).action(
      action<[string], PullFlags>(box, async ([ref], flags) => {
        const { pullStoreImage, openClient } = await registry(flags);
        const pulled = await pullStoreImage({
          root: storeRoot(deps, flags),
          reference: ref,
          openClient,
          tool: 'vordr image pull',
          ...progressOf(flags),
        });
        if (flags.json === true) return { exitCode: 0, stdout: jsonLine(pulled) };
        const signed = pulled.signed ? 'with its attestation bundle' : 'unsigned: no bundle found';
        return {
          exitCode: 0,
          stdout: `${pulled.digest}\n`,
          stderr: `Pulled ${pulled.reference} (${shortDigest(pulled.digest)}), ${signed}\n`,
        };
      }),
    ),
  );
  image.addCommand(
    registryOptions(
      newCommand('push', 'push a store image and its attestation bundle to a registry', ['quiet'])
        .argument('<ref>', 'the store image')
        .argument('<dest>', 'host/repo:tag')
        .option('-q, --quiet', 'no progress lines'),
    ).action(
      action<[string, string], PullFlags>(box, async ([ref, dest], flags) => {
        const { pushStoreImage, openClient } = await registry(flags);
        const pushed = await pushStoreImage({
          root: storeRoot(deps, flags),
          source: ref,
          destination: dest,
          openClient,
          ...progressOf(flags),
        });
        if (flags.json === true) return { exitCode: 0, stdout: jsonLine(pushed) };
        const bundle = pushed.bundles[0];
        const where =
          bundle === undefined
            ? 'no attestation bundle (unsigned image)'
            : bundle.tag !== undefined
              ? `bundle tagged ${bundle.tag}`
              : 'bundle as a referrer';
        return {
          exitCode: 0,
          stdout: `${pushed.digest}\n`,
          stderr: `Pushed ${dest} (${shortDigest(pushed.digest)}), ${where}\n`,
        };
      }),
    ),
  );
  return image;
}
