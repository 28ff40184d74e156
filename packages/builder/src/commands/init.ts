// SPDX-License-Identifier: Apache-2.0
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { parseManifest } from '@verified-container/shared/manifest';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { pathExists, writeFileAtomic } from '../io/files.js';
import { humanDiagnostics } from './validate.js';

export const DEFAULT_INIT_BASE = 'cerro-torre/debian:bookworm-slim';
export const DEFAULT_INIT_VERSION = '0.1.0';

interface InitFlags {
  name?: string;
  version?: string;
  base?: string;
  packages?: string;
  force?: boolean;
}

export function makeInitCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('init', 'write a new manifest to start from')
    .argument('[file]', 'where to write it (default ./<directory name>.ctp)')
    .option('--name <name>', 'image name (default: the directory name)')
    .option('--version <version>', `image version (default ${DEFAULT_INIT_VERSION})`)
    .option('--base <image>', `base image (default ${DEFAULT_INIT_BASE})`)
    .option('--packages <list>', 'comma-separated Debian packages')
    .option('--force', 'overwrite an existing file')
    .addHelpText(
      'after',
      `
The manifest has [package], [base], [dependencies], an empty [build], [runtime] with
command ["/bin/sh"], a [security] profile that drops every capability and makes the root
read-only, and commented [attestations] and [verification] examples. It passes 'validate'.

Exit status: 0 written, 1 the file exists (use --force) or the values are invalid, 2 usage.`,
    )
    .action(
      action(box, 'builder', async (file: string | undefined, flags: InitFlags) =>
        initManifest(file, flags, deps),
      ),
    );
}

export function manifestTemplate(v: {
  name: string;
  version: string;
  base: string;
  packages: readonly string[];
}): string {
  const packages = v.packages.map((p) => JSON.stringify(p)).join(', ');
  return `# ${v.name}: a Cerro Torre manifest (see \`cerro-torre explain\` for what it builds).
# Check it with \`cerro-torre validate\`; build it with \`cerro-torre build\`.

[package]
name = ${JSON.stringify(v.name)}
version = ${JSON.stringify(v.version)}

[base]
image = ${JSON.stringify(v.base)}

[dependencies]
packages = [${packages}]

[build]
# Declarative steps: mkdir, fetch, verify-hash, extract, copy, write-file, symlink,
# chown, chmod, user, group, composer-require. There is no shell.
steps = []

[runtime]
command = ["/bin/sh"]

[security.capabilities]
drop = ["ALL"]
add = []

[security.readonly-root]
enabled = true
exceptions = []

# [attestations.signing]
# threshold = "2-of-3"
# keyholders = ["maintainer-1", "maintainer-2", "release-bot"]
#
# [attestations.transparency]
# logs = [
#     { name = "cerro-torre-log", url = "http://127.0.0.1:8470" },
#     { name = "local-file-log", url = "file:logs/local-file-log" },
# ]
# threshold-agreement = "2-of-2"
#
# [verification.required-signatures]
# minimum = 2
#
# [verification.transparency-logs]
# require-consensus = true
# minimum-logs = 2
`;
}

/** A directory name made into an OCI repository name (lowercase, separators kept). */
export function nameFromDirectory(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    // separators may not repeat or mix (`a..b`, `a._b` are not OCI names)
    .replace(/[._-]{2,}/g, (run) => (run === '__' ? run : '-'))
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name === '' ? 'app' : name;
}

export async function initManifest(
  file: string | undefined,
  flags: InitFlags,
  deps: CliDeps,
): Promise<CommandResult> {
  const dirName = nameFromDirectory(deps.cwd);
  const target = resolve(deps.cwd, file ?? `${dirName}.ctp`);
  const packages = (flags.packages ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const text = manifestTemplate({
    name: flags.name ?? dirName,
    version: flags.version ?? DEFAULT_INIT_VERSION,
    base: flags.base ?? DEFAULT_INIT_BASE,
    packages,
  });
  const check = parseManifest(text, { source: file ?? `${dirName}.ctp` });
  if (!check.ok) {
    return { exitCode: 1, stderr: humanDiagnostics(file ?? `${dirName}.ctp`, check.diagnostics) };
  }
  if (flags.force !== true && (await pathExists(target))) {
    throw new VcError('FILE_EXISTS', `${target} already exists`, {
      hint: 'choose another file or use --force',
    });
  }
  await writeFileAtomic(target, text, { exclusive: flags.force !== true });
  return { exitCode: 0, stdout: `${target}\n`, stderr: `wrote ${target}\n` };
}
